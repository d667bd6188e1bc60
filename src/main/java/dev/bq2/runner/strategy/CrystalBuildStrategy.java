package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * `crystal-build`: `crystal build <configure_flags...>` in the workdir, then every `bin/*` is
 * installed with mode 0755 into `<DESTDIR-joined install_prefix>/bin`. With a `shard.yml`,
 * `shards install` runs first only when `BQ2_FORCE_SHARDS_INSTALL` (phase or step env) is
 * truthy: the dependencies were prefetched on the host (`prefetch-shards`), and the namespaces
 * the build runs in may have no network.
 */
final class CrystalBuildStrategy implements Strategy {
  private static final Set<String> FALSE = Set.of("", "0", "false", "no");

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    if (Files.isRegularFile(ctx.cwd().resolve("shard.yml"))) {
      if (truthy(ctx.stepEnv().get("BQ2_FORCE_SHARDS_INSTALL"))) {
        ctx.commands().run(List.of("shards", "install"), ctx.cwd(), ctx.env());
      } else {
        ctx.commands().note("Skipping shards install for " + ctx.step().name() + " (prefetched during host setup)");
      }
    }
    List<String> build = new ArrayList<>(List.of("crystal", "build"));
    build.addAll(ctx.step().configureFlags());
    ctx.commands().run(build, ctx.cwd(), ctx.env());
    installBinaries(ctx);
  }

  /** The old tool's truthiness: set, and not empty, `0`, `false` or `no` (any case, trimmed). */
  static boolean truthy(String value) {
    return value != null && !FALSE.contains(value.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * `install -d <P>/bin`, then `install -m 0755 bin/<f> <P>/bin/` for each non-hidden entry of
   * the workdir's `bin/` in name order, where P is the DESTDIR-joined install prefix.
   */
  static void installBinaries(StepContext ctx) throws StepFailedException, InterruptedException {
    String binDir = StepPaths.underDestdir(ctx, ctx.installPrefix()).resolve("bin").toString();
    ctx.commands().run(List.of("install", "-d", binDir), ctx.cwd(), ctx.env());
    for (String artifact : artifacts(ctx.cwd())) {
      ctx.commands().run(List.of("install", "-m", "0755", artifact, binDir + "/"), ctx.cwd(), ctx.env());
    }
  }

  private static List<String> artifacts(Path cwd) throws StepFailedException {
    Path bin = cwd.resolve("bin");
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(bin)) return out;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(bin)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".")) out.add("bin/" + name);
      }
    } catch (IOException e) {
      throw new StepFailedException("Cannot list " + bin + ": " + e.getMessage());
    }
    out.sort(null);
    return out;
  }
}
