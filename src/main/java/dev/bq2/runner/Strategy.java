package dev.bq2.runner;

/** One build strategy (docs/formats.md#upstream-formats), looked up by the step's `strategy` name. */
public interface Strategy {
  /** Runs the step in `ctx.cwd()`; throws with the existing tool's error text on failure. */
  void execute(StepContext ctx) throws StepFailedException, InterruptedException;
}
