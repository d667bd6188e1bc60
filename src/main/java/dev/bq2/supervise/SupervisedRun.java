package dev.bq2.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A runner started detached by {@link BackgroundRunner}: either our own child (we hold its
 * {@link Process} and learn of its exit at once) or re-attached from its run record after an
 * autopilot restart (then the exit file and /proc are polled every {@link #POLL}).
 */
public final class SupervisedRun {
  /** How often a re-attached run is polled: well within the one-second goal. */
  static final Duration POLL = Duration.ofMillis(100);

  public enum State { RUNNING, EXITED, LOST }

  private final RunRecord record;
  private final Path recordFile;
  private final Process process;

  SupervisedRun(RunRecord record, Path recordFile, Process process) {
    this.record = record;
    this.recordFile = recordFile;
    this.process = process;
  }

  public RunRecord record() {
    return record;
  }

  /** `<log>.run.json` beside the log. */
  public Path recordFile() {
    return recordFile;
  }

  public Path log() {
    return Path.of(record.log());
  }

  public Path exitFile() {
    return Path.of(record.exitFile());
  }

  /** True when this run was found from its record rather than started by this process. */
  public boolean reattached() {
    return process == null;
  }

  public State state() {
    return outcomeNow().map(RunOutcome::state).orElse(State.RUNNING);
  }

  /** Waits up to {@code timeout} for the run to end; empty while it is still running. */
  public Optional<RunOutcome> await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (process != null) {
      if (!process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) return Optional.empty();
      return outcomeNow();
    }
    while (true) {
      Optional<RunOutcome> o = outcomeNow();
      long left = deadline - System.nanoTime();
      if (o.isPresent() || left <= 0) return o;
      TimeUnit.NANOSECONDS.sleep(Math.min(left, POLL.toNanos()));
    }
  }

  public RunOutcome awaitExit() throws InterruptedException {
    while (true) {
      Optional<RunOutcome> o = await(Duration.ofSeconds(3600));
      if (o.isPresent()) return o.get();
    }
  }

  /** The outcome if the run has ended (exit file written, or process gone without one). */
  public Optional<RunOutcome> outcomeNow() {
    Optional<RunOutcome> exited = readExitFile();
    if (exited.isPresent()) return exited;
    if (process != null ? process.isAlive() : record.processAlive()) return Optional.empty();
    // The wrapper writes the exit file before it exits: look again now that it is gone.
    exited = readExitFile();
    if (exited.isPresent()) return exited;
    // Our own child: the wrapper exits with the runner's status even when it could not write the
    // exit file (a full disk). 137 may be the wrapper itself killed, so that one stays lost.
    if (process != null && process.exitValue() != 137) {
      int code = process.exitValue();
      return Optional.of(new RunOutcome(State.EXITED, code, Instant.now(), record, "runner exited " + code
          + " (its exit file " + record.exitFile() + " could not be written: is the disk full?); log " + record.log()));
    }
    List<Long> left = ProcStat.groupMembers(record.pid());
    String detail = "runner lost: pid " + record.pid() + " is gone and wrote no exit file " + record.exitFile()
        + " (killed with its supervisor, or the machine rebooted); its log is " + record.log()
        + (left.isEmpty() ? "" : "; processes " + left + " of its group still run: stop them with kill -- -" + record.pid());
    return Optional.of(new RunOutcome(State.LOST, null, null, record, detail));
  }

  /** Sends SIGTERM to the runner's whole process group; the wrapper still records the exit status. */
  public void stop() throws InterruptedException {
    if (state() != State.RUNNING) return;
    try {
      Process kill = new ProcessBuilder("kill", "-s", "TERM", "--", "-" + record.pid())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor();
    } catch (IOException e) {
      ProcessHandle.of(record.pid()).ifPresent(ProcessHandle::destroy);
    }
  }

  private Optional<RunOutcome> readExitFile() {
    Path exit = exitFile();
    String text;
    Instant finished;
    try {
      text = Files.readString(exit, StandardCharsets.UTF_8).trim();
      finished = Files.getLastModifiedTime(exit).toInstant();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(new RunOutcome(State.LOST, null, null, record, "cannot read exit file " + exit + ": " + e.getMessage()));
    }
    try {
      int code = Integer.parseInt(text);
      return Optional.of(new RunOutcome(State.EXITED, code, finished, record,
          "runner exited " + code + "; log " + record.log()));
    } catch (NumberFormatException e) {
      return Optional.of(new RunOutcome(State.LOST, null, finished, record,
          "exit file " + exit + " holds \"" + text + "\", not an exit status; see the log " + record.log()));
    }
  }
}
