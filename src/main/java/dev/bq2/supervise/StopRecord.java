package dev.bq2.supervise;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.state.Timestamps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Who asked a run to stop, and when: `stop.json` in the log folder, beside the run records,
 * written (atomically) by `bq2 stop` before it sends any signal. An interrupted runner is then a
 * request someone made, not a build failure: the autopilot says who stopped it, and the next
 * `iterate` resumes where it was. The newest stop overwrites the last one.
 *
 * @param stoppedAt UTC ISO-8601 (ms; shown to the second)
 * @param user the user who ran the stop command
 * @param pid the stopping process
 * @param command what stopped it (`bq2 stop`)
 * @param runnerLog the log of the runner that was running, null when none was
 * @param phase that runner's phase
 */
@JsonPropertyOrder({"format_version", "stopped_at", "user", "pid", "command", "runner_log", "phase"})
public record StopRecord(int formatVersion, String stoppedAt, String user, long pid, String command,
    String runnerLog, String phase) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE = "stop.json";

  /** A stop made now by this process, of {@code runner} (null: no runner was running). */
  public static StopRecord now(String command, RunRecord runner) {
    String user = System.getProperty("user.name");
    if (user == null || user.isBlank() || user.equals("?")) user = "an unknown user";
    return new StopRecord(FORMAT_VERSION, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), user,
        ProcessHandle.current().pid(), command, runner == null ? null : runner.log(), runner == null ? null : runner.phase());
  }

  public static Path file(Path logDir) {
    return logDir.resolve(FILE);
  }

  /** Written before any signal, so whoever sees the run end can tell who ended it. */
  public void write(Path logDir) {
    AtomicFile.writeJson(file(logDir), this);
  }

  public static Optional<StopRecord> read(Path logDir) {
    Path f = file(logDir);
    if (!Files.isRegularFile(f)) return Optional.empty();
    return Optional.of(Json.read(f, StopRecord.class, "it is written by `bq2 stop`; remove it"));
  }

  /** True when this stop ended {@code run}. */
  public boolean stopped(RunRecord run) {
    return runnerLog != null && runnerLog.equals(run.log());
  }

  public Instant at() {
    return Instant.parse(stoppedAt);
  }

  /** `stopped by root (bq2 stop, pid 4242) at 2026-11-30 01:50:12 UTC`. */
  public String describe() {
    return "stopped by " + user + " (" + command + ", pid " + pid + ") at " + Timestamps.state(at());
  }
}
