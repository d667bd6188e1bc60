package dev.bq2.assistant;

import java.io.IOException;
import java.io.InputStream;
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

  /**
   * At most this much stdout is read from an assistant (a proposal is a few KB; Codex's event
   * stream of a long turn a few MB): an assistant printing without end (`yes`) once grew the
   * autopilot to 4.9 GB. Past it the process group is ended.
   */
  public static final long MAX_ANSWER_BYTES = 8L * 1024 * 1024;

  /**
   * How the run ended; {@code exitCode} is -1 after a timeout or when the output was too large
   * ({@code outputTooLarge}: more than the limit on stdout, the process group was ended).
   */
  public record Result(int exitCode, boolean timedOut, long durationMs, String stderrTail, boolean outputTooLarge) {
    public Result(int exitCode, boolean timedOut, long durationMs, String stderrTail) {
      this(exitCode, timedOut, durationMs, stderrTail, false);
    }
  }

  private AssistantProcess() {}

  /**
   * Runs argv in cwd with the current environment plus {@code extraEnv}, writes {@code stdin}
   * and closes it, and kills the process group when {@code timeout} passes.
   */
  public static Result run(
      List<String> argv, Path cwd, Map<String, String> extraEnv, String stdin, Duration timeout,
      Consumer<String> onStdoutLine) throws IOException, InterruptedException {
    return run(argv, cwd, extraEnv, stdin, timeout, onStdoutLine, Long.MAX_VALUE);
  }

  /**
   * {@link #run} reading at most {@code maxStdoutBytes} of stdout: past that the process group is
   * ended and the result says {@code outputTooLarge} (what was read up to then was handed over).
   */
  public static Result run(
      List<String> argv, Path cwd, Map<String, String> extraEnv, String stdin, Duration timeout,
      Consumer<String> onStdoutLine, long maxStdoutBytes) throws IOException, InterruptedException {
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
    boolean[] tooLarge = new boolean[1];
    Thread out = daemon("assistant-stdout", () -> {
      if (!readLines(p.getInputStream(), onStdoutLine, maxStdoutBytes)) {
        synchronized (tooLarge) {
          tooLarge[0] = true;
        }
        // Ends the group: the waitFor below returns, and nothing more is read.
        killGroup(pid, "KILL");
      }
    });
    Thread errReader = daemon("assistant-stderr", () -> readLines(p.getErrorStream(), line -> {
      synchronized (err) {
        err.append(line).append('\n');
        if (err.length() > STDERR_TAIL) err.delete(0, err.length() - STDERR_TAIL);
      }
    }, Long.MAX_VALUE));
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
    boolean overflow;
    synchronized (tooLarge) {
      overflow = tooLarge[0];
    }
    return new Result(timedOut || overflow ? -1 : p.exitValue(), timedOut, ms, tail, overflow);
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

  /**
   * Hands over lines (LF-terminated, a trailing CR dropped) until end of stream; false as soon as
   * more than {@code maxBytes} arrived (so no line is longer than that either).
   */
  static boolean readLines(InputStream stream, Consumer<String> sink, long maxBytes) {
    byte[] buf = new byte[64 * 1024];
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    long total = 0;
    try (InputStream in = stream) {
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > maxBytes) return false;
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] != '\n') continue;
          append(line, buf, start, i);
          sink.accept(text(line));
          line.reset();
          start = i + 1;
        }
        append(line, buf, start, n);
      }
      if (line.size() > 0) sink.accept(text(line));
    } catch (IOException ignored) {
      // the stream was closed after a kill; the result says how the run ended
    }
    return true;
  }

  private static void append(java.io.ByteArrayOutputStream line, byte[] buf, int from, int to) {
    line.write(buf, from, to - from);
  }

  private static String text(java.io.ByteArrayOutputStream line) {
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
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
