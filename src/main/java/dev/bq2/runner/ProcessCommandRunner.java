package dev.bq2.runner;

import dev.bq2.Bq2Exception;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link CommandRunner} of one step. Each command runs as the leader of its own process
 * group (see {@link ProcessGroup}) with stdin from /dev/null; stdout and stderr go, merged as
 * they arrive, to the step's log file. Without echo the child writes the log file itself
 * (O_APPEND, no copying through the JVM); with echo a pump copies output to the log and to the
 * console with a `[phase/step]` prefix.
 */
public final class ProcessCommandRunner implements CommandRunner, AutoCloseable {
  private final Path logFile;
  private final String label;
  private final boolean echo;
  private final RunLog log;
  private final Interrupts interrupts;
  private final List<String> commandPrefix;
  private final RootView view;
  private final Duration grace;
  private final OutputStream logOut;

  /**
   * @param label `phase/step`, the console prefix
   * @param commandPrefix argv prepended to every command (a namespace entry), empty in place
   * @param grace how long a stopped command gets between SIGTERM and SIGKILL
   */
  public ProcessCommandRunner(Path logFile, String label, boolean echo, RunLog log,
      Interrupts interrupts, List<String> commandPrefix, Duration grace) {
    this(logFile, label, echo, log, interrupts, commandPrefix, null, grace);
  }

  /** Commands run inside {@code view}'s rootfs (one namespace entry each), or in place when it is null. */
  public ProcessCommandRunner(Path logFile, String label, boolean echo, RunLog log,
      Interrupts interrupts, RootView view, Duration grace) {
    this(logFile, label, echo, log, interrupts, List.of(), view, grace);
  }

  private ProcessCommandRunner(Path logFile, String label, boolean echo, RunLog log,
      Interrupts interrupts, List<String> commandPrefix, RootView view, Duration grace) {
    this.view = view;
    this.logFile = logFile.toAbsolutePath();
    this.label = label;
    this.echo = echo;
    this.log = log;
    this.interrupts = interrupts;
    this.commandPrefix = List.copyOf(commandPrefix);
    this.grace = grace;
    try {
      Files.createDirectories(this.logFile.getParent());
      // The raw step log keeps what the build printed, secrets included (reports, journals and
      // session copies are redacted): only its owner may read it.
      if (!Files.exists(this.logFile, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(this.logFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      this.logOut = new FileOutputStream(this.logFile.toFile(), true);
    } catch (IOException e) {
      throw Bq2Exception.badInput(this.logFile + ": cannot create the step log (" + e.getMessage()
          + "); pass a writable --log-dir DIR");
    }
  }

  @Override
  public void run(List<String> argv, Path cwd, Map<String, String> env)
      throws StepFailedException, InterruptedException {
    Exec e = exec(argv, cwd, env, false);
    if (e.rc() != 0) {
      throw StepFailedException.commandFailed(view == null ? argv : view.insideArgv(argv), e.rc(), e.outputOffset());
    }
  }

  @Override
  public int runTolerant(List<String> argv, Path cwd, Map<String, String> env) throws InterruptedException {
    return exec(argv, cwd, env, true).rc();
  }

  /**
   * A finished command: its exit code, and the byte offset in the step log where its own output
   * begins (just after the runner's "Running in" line), so a diagnosis never reads the output of
   * commands before it, e.g. a `make distclean` whose failure the strategy tolerated.
   */
  private record Exec(int rc, Long outputOffset) {}

  /** The step log's current length (everything written so far is flushed); null when unreadable. */
  private synchronized Long logLength() {
    try {
      return Files.size(logFile);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public synchronized void note(String line) {
    try {
      logOut.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      logOut.flush();
    } catch (IOException e) {
      log.warn("cannot write step log " + logFile + ": " + e.getMessage());
    }
  }

  @Override
  public Path logFile() {
    return logFile;
  }

  /** @param tolerant a failure is expected and harmless (a cleanup): the runner log has it at DEBUG only */
  private Exec exec(List<String> argv, Path cwd, Map<String, String> env, boolean tolerant) throws InterruptedException {
    if (interrupts.requested()) throw new InterruptedException(interrupts.message());
    String shown = String.join(" ", view == null ? argv : view.insideArgv(argv));
    String inside = view == null ? null : view.insidePath(cwd);
    String where = view == null ? cwd.toString()
        : (inside == null ? "/" : inside) + " (" + view.namespace() + " rootfs " + view.root() + ")";
    note("Running in " + where + ": " + shown);
    Long offset = logLength();
    if (tolerant) log.debug("Running in " + where + ": " + shown);
    else log.info("Running in " + where + ": " + shown);
    List<String> full = new ArrayList<>(commandPrefix);
    if (view != null) {
      full.addAll(view.wrap(argv, cwd));
    } else {
      full.addAll(argv);
    }
    File dir = view != null && !Files.isDirectory(cwd) ? view.root().toFile() : cwd.toFile();
    ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(full))
        .directory(dir)
        .redirectErrorStream(true)
        .redirectInput(new File("/dev/null"));
    pb.environment().clear();
    pb.environment().putAll(env);
    if (!echo) pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      note("Cannot start " + argv.get(0) + ": " + e.getMessage());
      log.error("Cannot start " + argv.get(0) + ": " + e.getMessage());
      return new Exec(127, offset); // what a shell reports for a command it cannot run
    }
    ProcessGroup group = ProcessGroup.of(p, grace);
    interrupts.track(group);
    int rc;
    try {
      if (echo) pump(p.getInputStream());
      rc = p.waitFor();
    } catch (InterruptedException e) {
      group.stopAndWait();
      waitQuietly(p);
      throw e;
    } finally {
      interrupts.untrack(group);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    String finished = String.format(Locale.ROOT, "Finished in %.3fs (exit=%d): %s", secs, rc, shown);
    note(finished);
    if (tolerant) log.debug(finished + (rc == 0 ? "" : " (tolerated)"));
    else log.info(finished);
    if (interrupts.requested()) {
      // The group may outlive its leader for a moment; make sure nothing is left running.
      group.stopAndWait();
      throw new InterruptedException(interrupts.message());
    }
    return new Exec(rc, offset);
  }

  private static void waitQuietly(Process p) {
    boolean interrupted = false;
    while (true) {
      try {
        p.waitFor();
        break;
      } catch (InterruptedException again) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  /** Copies the child's output to the log as it arrives and, line by line, to the console. */
  private void pump(InputStream in) {
    byte[] buf = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (this) {
          logOut.write(buf, 0, n);
          logOut.flush();
        }
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            log.raw("[" + label + "] " + line.toString(StandardCharsets.UTF_8) + "\n");
            line.reset();
          } else {
            line.write(buf[i]);
          }
        }
      }
    } catch (IOException e) {
      note("output capture stopped: " + e.getMessage());
    }
    if (line.size() > 0) log.raw("[" + label + "] " + line.toString(StandardCharsets.UTF_8) + "\n");
  }

  @Override
  public void close() {
    try {
      logOut.close();
    } catch (IOException e) {
      log.warn("cannot close step log " + logFile + ": " + e.getMessage());
    }
  }
}
