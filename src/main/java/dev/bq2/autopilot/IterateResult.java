package dev.bq2.autopilot;

import java.nio.file.Path;
import java.util.List;

/**
 * What an autopilot run ended with: the exit code (0 phase(s) complete, 3 stopped and needs a
 * person), a one-line reason, and the journals it wrote.
 *
 * @param applied deltas applied by this run
 * @param reverted deltas this run reverted because the same failure came back
 * @param inForce deltas in the overrides file now (applied, by this or an earlier run, and not reverted)
 */
public record IterateResult(int exitCode, String reason, List<Path> journals, int iterations, int applied,
    int reverted, int inForce) {

  /** `2 delta(s) in force (3 applied this run, 1 reverted)`, for the closing line people read. */
  public String deltas() {
    return inForce + " delta(s) in force (" + applied + " applied this run, " + reverted + " reverted)";
  }
}
