package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** `copy-tree`: `cp -a . <DESTDIR-joined install_prefix>` from the workdir (keeps modes, links). */
final class CopyTreeStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    if (ctx.step().installPrefix() == null) {
      throw new StepFailedException("copy-tree requires step.install_prefix (destination path)");
    }
    Path root = StepPaths.underDestdir(ctx, ctx.step().installPrefix());
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StepFailedException("Cannot create " + root + ": " + e);
    }
    ctx.commands().run(List.of("cp", "-a", ".", root.toString()), ctx.cwd(), ctx.env());
  }
}
