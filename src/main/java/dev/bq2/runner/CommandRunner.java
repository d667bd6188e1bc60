package dev.bq2.runner;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs external commands for a step: each in its own process group (so an interrupt stops the
 * whole tree), stdout and stderr interleaved into the step's log file as they arrive (and to
 * the console with a `[phase/step]` prefix when a terminal is attached).
 */
public interface CommandRunner {
  /** Runs argv in cwd with env; throws {@link StepFailedException#commandFailed} on non-zero. */
  void run(List<String> argv, Path cwd, Map<String, String> env)
      throws StepFailedException, InterruptedException;

  /** Like {@link #run} but returns the exit code instead of failing (e.g. `make distclean`). */
  int runTolerant(List<String> argv, Path cwd, Map<String, String> env) throws InterruptedException;

  /** Appends a line of the runner's own to the step log (e.g. a WARN or "patch applied"). */
  void note(String line);

  /** The step's log file (the report's `output_log`). */
  Path logFile();
}
