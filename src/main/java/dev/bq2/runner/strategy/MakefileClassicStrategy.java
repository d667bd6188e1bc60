package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Files;
import java.util.List;

/** `makefile-classic`: a hand-written `Makefile.bq2` (packages without a configure script). */
final class MakefileClassicStrategy implements Strategy {
  static final String MAKEFILE = "Makefile.bq2";

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    if (!Files.exists(ctx.cwd().resolve(MAKEFILE))) {
      throw new StepFailedException("Missing " + MAKEFILE + " in " + ctx.cwd());
    }
    ctx.commands().run(List.of("make", "-f", MAKEFILE, "-j" + ctx.jobs()), ctx.cwd(), ctx.env());
    AutotoolsStrategy.makeInstall(ctx, ctx.cwd(), List.of("-f", MAKEFILE));
  }
}
