package dev.bq2.runner.strategy;

import dev.bq2.runner.Trees;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `cmake-project`: `cmake -S <src> -B <build>`, `cmake --build`, `cmake --install` (DESTDIR in
 * the env). The build dir is deleted first on every run, as in the old tool; `clean_build` is
 * therefore irrelevant here.
 */
final class CmakeProjectStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    String src = sourceDir(ctx);
    String build = ctx.step().buildDir() != null ? ctx.step().buildDir() : "build";
    Path buildPath = StepPaths.resolve(ctx, build);
    Path cwd = ctx.cwd().toAbsolutePath().normalize();
    if (buildPath.getParent() == null || cwd.startsWith(buildPath)
        || StepPaths.resolve(ctx, src).startsWith(buildPath)) {
      throw new StepFailedException("Refusing to delete cmake build_dir " + buildPath
          + " because it contains the workdir or the source dir; set build_dir to a subdirectory such as \"build\"");
    }
    Trees.deleteRecursively(buildPath);
    List<String> configure = new ArrayList<>(List.of(
        "cmake", "-S", src, "-B", build, "-DCMAKE_INSTALL_PREFIX=" + ctx.installPrefix()));
    configure.addAll(ctx.step().configureFlags());
    ctx.commands().run(configure, ctx.cwd(), ctx.env());
    ctx.commands().run(List.of("cmake", "--build", build, "-j" + ctx.jobs()), ctx.cwd(), ctx.env());
    Map<String, String> installEnv = ctx.env();
    String destdir = StepPaths.destdir(ctx);
    if (destdir != null) {
      installEnv = new LinkedHashMap<>(ctx.env());
      installEnv.put("DESTDIR", StepPaths.asSeenByCommands(ctx, destdir));
    }
    ctx.commands().run(List.of("cmake", "--install", build), ctx.cwd(), installEnv);
  }

  /** `CMAKE_SOURCE_DIR` from the phase+step env, else `.`. */
  static String sourceDir(StepContext ctx) {
    String src = ctx.stepEnv().get("CMAKE_SOURCE_DIR");
    return src == null || src.isEmpty() ? "." : src;
  }

  static boolean cmakeListsPresent(StepContext ctx) {
    return Files.exists(ctx.cwd().resolve("CMakeLists.txt"))
        || Files.exists(StepPaths.resolve(ctx, sourceDir(ctx)).resolve("CMakeLists.txt"));
  }
}
