package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.util.List;

/** Our addition: runs the step's `content` with `/bin/sh -e`. */
final class ShellStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    String script = ctx.step().content();
    if (script == null || script.isBlank()) {
      throw new StepFailedException("shell strategy requires content (the script to run) in step " + ctx.step().name());
    }
    ctx.commands().run(List.of("/bin/sh", "-e", "-c", script), ctx.cwd(), ctx.env());
  }
}
