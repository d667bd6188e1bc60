package dev.bq2.runner.strategy;

import dev.bq2.runner.Trees;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Path;

/** `remove-tree`: rm -rf of the DESTDIR-joined install_prefix; refuses `/` and the empty path. */
final class RemoveTreeStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException {
    String prefix = ctx.step().installPrefix();
    if (prefix == null) {
      throw new StepFailedException("remove-tree requires step.install_prefix (path to remove)");
    }
    String destdir = ctx.destdir() == null ? "" : ctx.destdir();
    String joined = destdir + prefix;
    if (joined.isEmpty() || joined.equals("/")) throw new StepFailedException("Refusing to remove " + joined);
    Path target = StepPaths.underDestdir(ctx, prefix);
    // Also refuse what normalises to / (e.g. "/.", "//") or to an ancestor of the workdir.
    if (target.getParent() == null || ctx.cwd().toAbsolutePath().normalize().startsWith(target)) {
      throw new StepFailedException("Refusing to remove " + target + " (it is / or contains the workdir)");
    }
    Trees.deleteRecursively(target);
  }
}
