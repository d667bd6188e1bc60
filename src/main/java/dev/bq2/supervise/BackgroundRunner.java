package dev.bq2.supervise;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the runner nohup-style so it outlives the autopilot (seed 001 "run the runner in the
 * background", made safe): its own session and process group (`setsid`), SIGHUP ignored, stdin
 * from /dev/null, stdout+stderr appended to
 * `<logdir>/sysroot-runner-<UTC>-<phase>.log`, and its exit status written by a small `sh`
 * wrapper to `<log-base>.exit` (temp + rename) even when no autopilot is left to see it.
 *
 * <p>The wrapper waits for one line on its stdin before it runs the command, so the run record
 * (pid + /proc start time) is on disk before the runner does anything; if the autopilot dies
 * before sending it, end-of-file lets the runner go ahead anyway.
 */
public final class BackgroundRunner {
  /** The pointer to the newest run, for re-attach. */
  public static final String CURRENT = "current-run.json";

  static final String WRAPPER =
      "trap '' HUP\n"
          + "trap ':' INT TERM\n"
          + "exitfile=$1; shift\n"
          + "read -r _ || :\n"
          + "exec </dev/null\n"
          + "\"$@\"\n"
          + "rc=$?\n"
          + "if printf '%s\\n' \"$rc\" > \"$exitfile.tmp\" 2>/dev/null; then mv -f \"$exitfile.tmp\" \"$exitfile\"; "
          + "else rm -f \"$exitfile.tmp\"; fi\n"
          + "exit \"$rc\"\n";

  private final Path logDir;
  private final String logPrefix;

  public BackgroundRunner(Path logDir) {
    this(logDir, "sysroot-runner");
  }

  /** A supervisor whose logs are named `<logPrefix>-<UTC>-<phase>.log` (e.g. `iterate` for a detached autopilot). */
  public BackgroundRunner(Path logDir, String logPrefix) {
    this.logPrefix = logPrefix;
    this.logDir = logDir.toAbsolutePath().normalize();
  }

  public static BackgroundRunner forRootfs(RootfsLayout layout) {
    return new BackgroundRunner(layout.logDir());
  }

  public Path logDir() {
    return logDir;
  }

  public Path currentFile() {
    return logDir.resolve(CURRENT);
  }

  /**
   * Starts {@code argv} for {@code phase} detached, in {@code cwd}, with {@code env} over the
   * inherited environment (`LOG_LEVEL=INFO` unless {@code env} sets it: the log follower needs
   * the INFO progress lines). Refuses when the current run is still alive: never two runners.
   */
  public SupervisedRun start(String phase, List<String> argv, Path cwd, Map<String, String> env) {
    if (argv.isEmpty()) throw new IllegalArgumentException("empty runner command");
    Optional<SupervisedRun> current = attach();
    if (current.isPresent() && current.get().state() == SupervisedRun.State.RUNNING) {
      RunRecord r = current.get().record();
      throw Bq2Exception.badInput("a runner is already running for phase " + r.phase() + " (pid " + r.pid()
          + ", log " + r.log() + "); attach to it instead of starting a second");
    }
    Instant now = Instant.now();
    Path log = claimLog(now, phase);
    Path exitFile = sibling(log, ".exit");
    Path recordFile = sibling(log, ".run.json");

    List<String> wrapped = new ArrayList<>(List.of("setsid", "sh", "-c", WRAPPER, "bq2-supervise", exitFile.toString()));
    wrapped.addAll(argv);
    ProcessBuilder pb = new ProcessBuilder(wrapped)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (cwd != null) pb.directory(cwd.toFile());
    pb.environment().put("LOG_LEVEL", "INFO");
    if (env != null) pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot start the runner detached (setsid sh): " + e.getMessage()
          + "; install util-linux (setsid) and a POSIX sh");
    }
    // The wrapper is blocked on its gate line, so it is alive and /proc has its start time.
    Long startTime = ProcStat.read(p.pid()).map(ProcStat::startTime).orElse(null);
    RunRecord record = new RunRecord(RunRecord.FORMAT_VERSION, phase, p.pid(), startTime, ProcStat.bootId(),
        List.copyOf(argv), cwd == null ? null : cwd.toAbsolutePath().toString(), log.toString(),
        exitFile.toString(), now.toString(), ProcessHandle.current().pid());
    try {
      AtomicFile.writeJson(recordFile, record);
      AtomicFile.writeJson(currentFile(), record);
    } finally {
      openGate(p);
    }
    return new SupervisedRun(record, recordFile, p);
  }

  /**
   * The current run, if any: live (same pid and start time) or ended (exit file, or lost). A
   * live one is re-attached, never started again.
   */
  public Optional<SupervisedRun> attach() {
    Path current = currentFile();
    if (!Files.isRegularFile(current)) return Optional.empty();
    RunRecord r = Json.read(current, RunRecord.class,
        "it is written by bq2; move it aside if the runner it names is gone");
    return Optional.of(new SupervisedRun(r, sibling(Path.of(r.log()), ".run.json"), null));
  }

  /** Drops the pointer once the autopilot has handled this (ended) run; the run's own files stay. */
  public void forget(RunRecord handled) {
    Optional<SupervisedRun> current = attach();
    if (current.isPresent() && current.get().record().log().equals(handled.log())) {
      try {
        // A wrapper that could not write its exit status (full disk) leaves no temp file; older ones did.
        if (handled.exitFile() != null) Files.deleteIfExists(Path.of(handled.exitFile() + ".tmp"));
        Files.deleteIfExists(currentFile());
      } catch (IOException e) {
        throw Bq2Exception.badInput("cannot remove " + currentFile() + ": " + e.getMessage() + "; remove it by hand");
      }
    }
  }

  /** Creates the log file exclusively; a second launch in the same second gets `.2`, `.3`, …. */
  private Path claimLog(Instant now, String phase) {
    String base = logPrefix + "-" + Timestamps.fileSeconds(now) + "-" + slug(phase);
    try {
      Files.createDirectories(logDir);
      for (int n = 1; ; n++) {
        Path log = logDir.resolve(base + (n == 1 ? "" : "." + n) + ".log");
        try {
          return Files.createFile(log);
        } catch (FileAlreadyExistsException e) {
          // taken by an earlier launch in the same second
        }
      }
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot create a runner log in " + logDir + ": " + e.getMessage()
          + "; check that the rootfs is writable");
    }
  }

  /** `sysroot-runner-…-phase.log` → `sysroot-runner-…-phase<suffix>` in the same folder. */
  static Path sibling(Path log, String suffix) {
    return log.resolveSibling(log.getFileName().toString().replaceFirst("\\.log$", "") + suffix);
  }

  static String slug(String phase) {
    String s = phase.replaceAll("[^A-Za-z0-9._-]+", "_");
    return s.isEmpty() ? "_" : s;
  }

  private static void openGate(Process p) {
    try (OutputStream gate = p.getOutputStream()) {
      gate.write('\n');
    } catch (IOException e) {
      // the wrapper already gone (or its stdin closed): nothing to release
    }
  }
}
