package dev.bq2.runner;

import java.util.Optional;
import java.util.Set;

/** One build strategy (docs/formats.md#upstream-formats), looked up by the step's `strategy` name. */
public interface Strategy {
  /** Runs the step in `ctx.cwd()`; throws with the existing tool's error text on failure. */
  void execute(StepContext ctx) throws StepFailedException, InterruptedException;

  /**
   * The strategies a runner knows by name. Given to the {@link Runner} (the built-in ones are
   * `runner.strategy.Strategies.catalog()`), so that `runner` does not import `runner.strategy`,
   * which imports `runner`: packages stay acyclic.
   */
  interface Catalog {
    Optional<Strategy> find(String name);

    /** Names in catalogue order, for "unknown strategy" messages. */
    Set<String> names();
  }
}
