package dev.bq2.supervise;

import java.time.Instant;

/**
 * How a supervised run ended: {@code EXITED} with the code from its exit file, or {@code LOST}
 * when its process is gone and no exit file was written (killed along with its wrapper, or the
 * machine rebooted).
 *
 * @param finishedAt when the exit file was written (null when lost)
 * @param detail one line for the user
 */
public record RunOutcome(SupervisedRun.State state, Integer exitCode, Instant finishedAt, RunRecord record, String detail) {
  public boolean succeeded() {
    return state == SupervisedRun.State.EXITED && exitCode != null && exitCode == 0;
  }
}
