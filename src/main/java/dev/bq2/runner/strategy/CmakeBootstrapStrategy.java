package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `cmake`: CMake's own `bootstrap` script (building CMake itself without a CMake), run inside
 * `build_dir` (default: the workdir), then `make`, `make install`. `make clean` runs first when
 * `clean_build` is set or the build dir already held build files.
 */
final class CmakeBootstrapStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    Path root = ctx.cwd();
    Path build = ctx.step().buildDir() != null ? StepPaths.resolve(ctx, ctx.step().buildDir()) : root;
    boolean hadBuildFiles = Files.exists(build.resolve("CMakeCache.txt"))
        || Files.exists(build.resolve("Makefile")) || Files.isDirectory(build.resolve("CMakeFiles"));
    try {
      Files.createDirectories(build);
    } catch (IOException e) {
      throw new StepFailedException("Cannot create build_dir " + build + ": " + e.getMessage());
    }
    List<String> bootstrap = new ArrayList<>(List.of(root.resolve("bootstrap").toString(),
        "--parallel=" + ctx.jobs(), "--prefix=" + ctx.installPrefix()));
    if (!ctx.step().configureFlags().isEmpty()) {
      bootstrap.add("--");
      bootstrap.addAll(ctx.step().configureFlags());
    }
    ctx.commands().run(bootstrap, build, ctx.env());
    if ((ctx.step().isCleanBuild() || hadBuildFiles) && Files.exists(build.resolve("Makefile"))) {
      ctx.commands().run(List.of("make", "clean"), build, ctx.env());
    }
    ctx.commands().run(List.of("make", "-j" + ctx.jobs()), build, ctx.env());
    AutotoolsStrategy.makeInstall(ctx, build, List.of());
  }
}
