package dev.bq2.supervise;

import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides when a supervised run is stalled: for the whole timeout its runner log did not grow,
 * no step log of the run grew, and no process of its tree used CPU. A long compile is quiet but
 * busy, a step may print once a minute into its own log: neither is a hang. Only a tree that
 * waits on nothing (a deadlock, a read from a terminal that never answers) is stopped.
 *
 * <p>Step logs are the `<UTC ms>-<phase>_<step>-<hex8>.log` files (docs/formats.md#step-logs-sysroot-build-logs) in the log
 * and report folders whose timestamp is not older than the run: ours write them to the log
 * folder, the existing tool beside its reports.
 */
public final class StallWatch {
  private static final Pattern STEP_LOG = Pattern.compile("\\d{8}T\\d{6}\\.\\d{3}Z-.+\\.log");
  /** The runner's own CPU counts as work only above this share of one core (a waiting JVM ticks over). */
  private static final double RUNNER_BUSY_SHARE = 0.10;

  private final Duration timeout;
  private final long wrapperPid;
  private final Set<Path> stepLogDirs = new LinkedHashSet<>();
  private final String since;
  private final long sampleNanos;
  private long lastActivity;
  private long lastSample;
  private Sample last;

  private record Sample(long stepLogBytes, TreeCpu cpu) {}

  /**
   * @param run the run to watch (its pid is the wrapper, its start time bounds which step logs are its own)
   * @param stepLogDirs folders holding step logs (the log folder, the report folder)
   */
  public StallWatch(RunRecord run, List<Path> stepLogDirs, Duration timeout) {
    this.timeout = timeout;
    this.wrapperPid = run.pid();
    this.stepLogDirs.addAll(stepLogDirs);
    Instant started = run.startedAt() == null ? Instant.now() : Instant.parse(run.startedAt());
    // A step log's name starts with the time its command started, in ms: none of this run's is older.
    this.since = Timestamps.compact(started.minusSeconds(1));
    // Often enough to notice activity well within the timeout; rarely enough that a long night
    // does not list the log folder five times a second.
    this.sampleNanos = Math.max(Duration.ofMillis(200).toNanos(), Math.min(Duration.ofSeconds(5).toNanos(), timeout.toNanos() / 10));
    this.lastActivity = System.nanoTime();
  }

  public Duration timeout() {
    return timeout;
  }

  /**
   * Called on every poll of the follower; {@code runnerLogGrew} says whether the runner log grew
   * since the last call. True once the run has been idle for the whole timeout.
   */
  public boolean stalled(boolean runnerLogGrew) {
    long now = System.nanoTime();
    if (runnerLogGrew) {
      lastActivity = now;
    } else if (now - lastSample >= sampleNanos) {
      Sample s = new Sample(stepLogBytes(), TreeCpu.of(wrapperPid));
      if (last != null && active(last, s, now - lastSample)) lastActivity = now;
      last = s;
      lastSample = now;
    }
    return now - lastActivity > timeout.toNanos();
  }

  private static boolean active(Sample before, Sample now, long elapsedNanos) {
    if (before.stepLogBytes() != now.stepLogBytes()) return true;
    if (before.cpu().build() != now.cpu().build()) return true;
    double runnerSeconds = (now.cpu().runner() - before.cpu().runner()) / (double) TreeCpu.TICKS_PER_SECOND;
    return runnerSeconds > RUNNER_BUSY_SHARE * elapsedNanos / 1e9;
  }

  /** Total size of this run's step logs: any write (or a log removed) changes it. */
  private long stepLogBytes() {
    long total = 0;
    for (Path dir : stepLogDirs) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.log")) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          if (name.compareTo(since) < 0 || !STEP_LOG.matcher(name).matches()) continue;
          try {
            total += Files.size(p);
          } catch (IOException gone) {
            // removed meanwhile (the existing tool deletes a successful command's log)
          }
        }
      } catch (IOException e) {
        // no such folder yet
      }
    }
    return total;
  }
}
