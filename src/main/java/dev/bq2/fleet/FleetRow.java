package dev.bq2.fleet;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One rootfs of `bq2 fleet status` (one line, or one object of `--json`).
 *
 * @param state the engine's state of the job, `UNKNOWN` when the engine forgot it
 * @param nextPhase from the rootfs's own status (`complete` when done), null when it could not be read
 * @param statusError why the rootfs's status could not be read
 * @param deltasInForce overrides applied and not reverted (the history file)
 * @param resubmittedAs the job submitted now by `--resubmit`, if any
 */
@JsonPropertyOrder({"rootfs", "name", "job_id", "state", "exit_code", "elapsed", "next_phase", "next_step", "last_failure",
    "deltas_in_force", "status_error", "resubmitted_from", "resubmitted_as", "log"})
public record FleetRow(String rootfs, String name, String jobId, String state, String exitCode, String elapsed,
    String nextPhase, String nextStep, String lastFailure, int deltasInForce, String statusError, String resubmittedFrom,
    String resubmittedAs, String log) {

  public boolean complete() {
    return "complete".equals(nextPhase);
  }
}
