package dev.bq2.rootfs;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What `sysroot-status` said (docs/formats.md#upstream-formats). Every field but {@code nextPhase} is optional, as
 * the existing tool prints those lines only when set.
 *
 * @param nextPhase the phase to run next, or {@link #COMPLETE}
 */
@JsonPropertyOrder({"plan_path", "state_path", "report_dir", "current_phase", "next_phase",
    "next_step", "last_failure", "last_failure_report"})
public record PhaseStatus(
    String planPath,
    String statePath,
    String reportDir,
    String currentPhase,
    String nextPhase,
    String nextStep,
    String lastFailure,
    String lastFailureReport) {

  public static final String COMPLETE = "complete";

  /** No incomplete step is left in the resolved plan. */
  public boolean complete() {
    return COMPLETE.equals(nextPhase);
  }

  /** The `key=value` lines of `sysroot-status`. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("plan_path=" + planPath);
    out.add("state_path=" + statePath);
    out.add("report_dir=" + reportDir);
    if (currentPhase != null) out.add("current_phase=" + currentPhase);
    out.add("next_phase=" + nextPhase);
    if (nextStep != null) out.add("next_step=" + nextStep);
    if (lastFailure != null) out.add("last_failure=" + lastFailure);
    if (lastFailureReport != null) out.add("last_failure_report=" + lastFailureReport);
    return out;
  }
}
