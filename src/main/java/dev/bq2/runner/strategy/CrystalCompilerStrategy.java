package dev.bq2.runner.strategy;

import dev.bq2.runner.Trees;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `crystal-compiler`: the Crystal compiler's own Makefile. `.build` (its output of an earlier
 * attempt) is removed first, then `make -jN crystal` and `make install PREFIX=<install_prefix>`
 * with `DESTDIR` in the environment when a destdir is set (the Makefile reads it from there).
 */
final class CrystalCompilerStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    Path build = ctx.cwd().resolve(".build");
    if (Files.isDirectory(build, LinkOption.NOFOLLOW_LINKS)) {
      ctx.commands().note("Removing " + build + " (output of an earlier build)");
      Trees.deleteRecursively(build);
    }
    ctx.commands().run(List.of("make", "-j" + ctx.jobs(), "crystal"), ctx.cwd(), ctx.env());
    Map<String, String> installEnv = ctx.env();
    String destdir = StepPaths.destdir(ctx);
    if (destdir != null) {
      installEnv = new LinkedHashMap<>(ctx.env());
      installEnv.put("DESTDIR", StepPaths.asSeenByCommands(ctx, destdir));
    }
    ctx.commands().run(List.of("make", "install", "PREFIX=" + ctx.installPrefix()), ctx.cwd(), installEnv);
  }
}
