package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;

/** Applies the step's patches in order before the build (interop.md §7.4). */
public final class Patches {
  private Patches() {}

  /** Applies each patch in `ctx.cwd()`; already-applied patches are detected and skipped. */
  public static void applyAll(StepContext ctx) throws StepFailedException, InterruptedException {
    if (!ctx.step().patches().isEmpty()) {
      throw new StepFailedException("patch application is not built yet");
    }
  }
}
