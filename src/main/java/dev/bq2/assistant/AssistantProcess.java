package dev.bq2.assistant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one assistant process in a process group of its own (via `setsid`), so a timeout or an
 * interrupt ends the whole tree: node-based CLIs spawn children, and Codex retries a refused
 * connection forever. stdout is handed over line by line as it arrives (Codex's thread id must be
 * stored before the turn ends); stderr keeps a bounded tail for error messages.
 */
public final class AssistantProcess {
  private static final int STDERR_TAIL = 16 * 1024;
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /** How the run ended; {@code exitCode} is -1 after a timeout. */
  public record Result(int exitCode, boolean timedOut, long durationMs, String stderrTail) {}

  private AssistantProcess() {}

  /**
   * Runs argv in cwd with the current environment plus {@code extraEnv}, writes {@code stdin}
   * and closes it, and kills the process group when {@code timeout} passes.
   */
  public static Result run(
      List<String> argv, Path cwd, Map<String, String> extraEnv, String stdin, Duration timeout,
      Consumer<String> onStdoutLine) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(SETSID)) cmd.add(SETSID.toString());
    cmd.addAll(argv);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().putAll(extraEnv);
    long start = System.nanoTime();
    Process p = pb.start();
    long pid = p.pid();
    StringBuilder err = new StringBuilder();
    Thread in = daemon("assistant-stdin", () -> {
      try (OutputStream os = p.getOutputStream()) {
        os.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the assistant closed its stdin early; what it printed decides the outcome
      }
    });
    Thread out = daemon("assistant-stdout", () -> readLines(p.getInputStream(), onStdoutLine));
    Thread errReader = daemon("assistant-stderr", () -> readLines(p.getErrorStream(), line -> {
      synchronized (err) {
        err.append(line).append('\n');
        if (err.length() > STDERR_TAIL) err.delete(0, err.length() - STDERR_TAIL);
      }
    }));
    boolean timedOut = false;
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        timedOut = true;
        killGroup(pid, "TERM");
        if (!p.waitFor(2, TimeUnit.SECONDS)) killGroup(pid, "KILL");
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      killGroup(pid, "KILL");
      throw e;
    } finally {
      // Whatever the leader left behind in its group goes too.
      killGroup(pid, "KILL");
      // Process.destroy closes our ends of the pipes: drain them first.
      for (Thread t : List.of(in, out, errReader)) t.join(5000);
      p.destroyForcibly();
      closeQuietly(p.getInputStream());
      closeQuietly(p.getErrorStream());
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    String tail;
    synchronized (err) {
      tail = err.toString();
    }
    return new Result(timedOut ? -1 : p.exitValue(), timedOut, ms, tail);
  }

  /** Signals the whole process group led by {@code pgid} (util-linux/procps `kill -- -PGID`). */
  static void killGroup(long pgid, String signal) {
    try {
      Process k = new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      k.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      ProcessHandle.of(pgid).ifPresent(h -> {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void readLines(InputStream stream, Consumer<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) sink.accept(line);
    } catch (IOException ignored) {
      // the stream was closed after a kill; the result says how the run ended
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void closeQuietly(InputStream s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing left to read
    }
  }
}
