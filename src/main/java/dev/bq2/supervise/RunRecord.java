package dev.bq2.supervise;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One supervised runner launch, written beside its log (`<log>.run.json`) and copied to
 * `current-run.json` so a later autopilot can re-attach. The process is named by pid AND
 * start time (and boot id), never by pid alone.
 *
 * @param pid the detached wrapper (session leader; the runner is its only child)
 * @param startTime field 22 of `/proc/<pid>/stat` (clock ticks since boot)
 * @param command the runner's argv (without the wrapper)
 * @param startedAt UTC ISO-8601
 * @param autopilotPid the autopilot that launched it
 */
@JsonPropertyOrder({"format_version", "phase", "pid", "start_time", "boot_id", "command", "cwd",
    "log", "exit_file", "started_at", "autopilot_pid"})
public record RunRecord(
    int formatVersion,
    String phase,
    @JsonProperty(required = true) long pid,
    Long startTime,
    String bootId,
    List<String> command,
    String cwd,
    @JsonProperty(required = true) String log,
    @JsonProperty(required = true) String exitFile,
    String startedAt,
    Long autopilotPid) {

  public static final int FORMAT_VERSION = 1;

  /** The process this record names is still running (same pid, same start time, same boot). */
  public boolean processAlive() {
    return ProcStat.isAlive(pid, startTime, bootId);
  }
}
