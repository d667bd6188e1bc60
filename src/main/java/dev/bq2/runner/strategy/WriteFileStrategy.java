package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** `write-file`: writes `content` (or step env `CONTENT`) at the DESTDIR-joined install_prefix. */
final class WriteFileStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException {
    if (ctx.step().installPrefix() == null) {
      throw new StepFailedException("write-file requires step.install_prefix (file path)");
    }
    String content = ctx.step().content() != null ? ctx.step().content() : ctx.step().env().get("CONTENT");
    if (content == null) throw new StepFailedException("write-file requires env CONTENT");
    Path target = StepPaths.underDestdir(ctx, ctx.step().installPrefix());
    write(target, content);
  }

  static void write(Path target, String content) throws StepFailedException {
    try {
      if (target.getParent() != null) Files.createDirectories(target.getParent());
      Files.writeString(target, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StepFailedException("Cannot write " + target + ": " + e);
    }
  }
}
