package dev.bq2.fleet;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Set;

/**
 * A job's state as the engine reports it (Slurm's names: `PENDING`, `RUNNING`, `COMPLETED`,
 * `FAILED`, `CANCELLED`, `TIMEOUT`, `NODE_FAIL`, `PREEMPTED`, …).
 *
 * @param state the base state (Slurm's `CANCELLED by 0` is `CANCELLED`)
 * @param exitCode `code:signal` when the engine says, else null
 * @param elapsed the engine's elapsed time (`[D-]HH:MM:SS`), null when not known
 * @param reason why it waits or ended (squeue's reason), null when none
 * @param source which command answered (`squeue`, `sacct`)
 */
@JsonPropertyOrder({"job_id", "state", "exit_code", "elapsed", "reason", "source"})
public record JobState(String jobId, String state, String exitCode, String elapsed, String reason, String source) {
  /** States in which the job still holds (or will hold) a node. */
  private static final Set<String> LIVE = Set.of("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED",
      "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD");
  /** Ended without finishing on its own: lost node, cancel (signal), time limit, preemption. */
  private static final Set<String> INTERRUPTED = Set.of("FAILED", "CANCELLED", "NODE_FAIL", "TIMEOUT", "PREEMPTED",
      "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY");

  public boolean live() {
    return LIVE.contains(state);
  }

  /** An ended job that may be resubmitted (`fleet status --resubmit`) when its plan is not complete. */
  public boolean interrupted() {
    return INTERRUPTED.contains(state);
  }

  /** `CANCELLED by 0` → `CANCELLED`; `CANCELLED+` (sacct, cut) → `CANCELLED`. */
  static String base(String state) {
    String s = state.strip();
    int sp = s.indexOf(' ');
    if (sp > 0) s = s.substring(0, sp);
    return s.replace("+", "");
  }
}
