package dev.bq2.runner.strategy;

import dev.bq2.runner.Trees;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * `symlink`: the link lives at the DESTDIR-joined install_prefix and points at `content` (or
 * step env `CONTENT`) verbatim; whatever was at the link path is removed first.
 */
final class SymlinkStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException {
    if (ctx.step().installPrefix() == null) {
      throw new StepFailedException("symlink requires step.install_prefix (destination)");
    }
    String source = ctx.step().content() != null ? ctx.step().content() : ctx.step().env().get("CONTENT");
    if (source == null) throw new StepFailedException("symlink requires content (source path)");
    Path link = StepPaths.underDestdir(ctx, ctx.step().installPrefix());
    try {
      if (link.getParent() != null) Files.createDirectories(link.getParent());
      Trees.deleteRecursively(link);
      Files.createSymbolicLink(link, Path.of(source));
    } catch (IOException e) {
      throw new StepFailedException("Cannot create symlink " + link + " -> " + source + ": " + e);
    }
  }
}
