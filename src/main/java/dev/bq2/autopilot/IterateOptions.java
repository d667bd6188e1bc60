package dev.bq2.autopilot;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How one autopilot run behaves. Limits stop the run with exit 3 (needs a person).
 *
 * @param sessionsDir null: the repo's `session/` when a repo was found, else
 *     `<rootfs>/var/lib/sysroot-build-sessions/`
 * @param allPhases keep going phase after phase until the plan is complete (the demo does)
 * @param deadline stop before starting another runner after this instant (null: none)
 * @param runnerArgs extra arguments for our runner (e.g. `--jobs 2`)
 * @param stallTimeout stop a runner whose log has not grown for this long (null: never)
 */
public record IterateOptions(
    Path sessionsDir,
    int maxAttemptsPerStep,
    int maxIterations,
    Instant deadline,
    boolean allPhases,
    List<String> runnerArgs,
    PrintStream out,
    boolean terminal,
    Duration stallTimeout) {

  public IterateOptions {
    runnerArgs = runnerArgs == null ? List.of() : List.copyOf(runnerArgs);
  }
}
