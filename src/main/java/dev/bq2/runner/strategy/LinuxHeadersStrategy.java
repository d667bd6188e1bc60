package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `linux-headers`: `make <flags> headers`, then copy `usr/include` to `<prefix>/include`. */
final class LinuxHeadersStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    List<String> make = new ArrayList<>();
    make.add("make");
    make.addAll(ctx.step().configureFlags());
    make.add("headers");
    ctx.commands().run(make, ctx.cwd(), ctx.env());
    Path include = StepPaths.underDestdir(ctx, ctx.installPrefix()).resolve("include");
    try {
      Files.createDirectories(include);
    } catch (IOException e) {
      throw new StepFailedException("Cannot create " + include + ": " + e.getMessage());
    }
    ctx.commands().run(List.of("cp", "-a", "usr/include/.", include.toString()), ctx.cwd(), ctx.env());
  }
}
