package dev.bq2.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A failure report (docs/formats.md#upstream-formats, `format_version` 1). Unlike our other files it writes
 * nulls, as the existing tool does. `log_tail`, `duration_s`, `started_at` and `output_offset`
 * are additive.
 *
 * @param outputOffset bytes into {@code outputLog} where the failed command's own output begins
 *     (earlier commands of the step, e.g. a tolerated `make distclean`, lie before it); null when
 *     unknown, as in the existing tool's reports: then the whole log is the failure's output
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
  "format_version", "occurred_at", "phase", "step", "command", "exit_code", "output_log", "error",
  "log_tail", "duration_s", "started_at", "output_offset"
})
public record FailureReport(
    Integer formatVersion,
    String occurredAt,
    ReportPhase phase,
    ReportStep step,
    List<String> command,
    Integer exitCode,
    String outputLog,
    String error,
    List<String> logTail,
    Double durationS,
    String startedAt,
    Long outputOffset) {

  /** A report without `output_offset` (the whole log is the failure's output). */
  public FailureReport(Integer formatVersion, String occurredAt, ReportPhase phase, ReportStep step,
      List<String> command, Integer exitCode, String outputLog, String error, List<String> logTail,
      Double durationS, String startedAt) {
    this(formatVersion, occurredAt, phase, step, command, exitCode, outputLog, error, logTail, durationS,
        startedAt, null);
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"name", "namespace", "install_prefix", "destdir", "env"})
  public record ReportPhase(
      String name, String namespace, String installPrefix, String destdir, Map<String, String> env) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({
    "name", "strategy", "workdir", "install_prefix", "destdir", "env", "effective_env",
    "configure_flags", "patches"
  })
  public record ReportStep(
      String name,
      String strategy,
      String workdir,
      String installPrefix,
      String destdir,
      Map<String, String> env,
      Map<String, String> effectiveEnv,
      List<String> configureFlags,
      List<String> patches) {}
}
