package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Files;
import java.util.List;

/**
 * `busybox`: `make defconfig`, optionally disable STATIC_LIBGCC with the kconfig tool named by
 * `BQ2_KCONFIG_CONFIG_TOOL`, `make -jN`, `make CONFIG_PREFIX=<destdir or prefix> install`.
 */
final class BusyboxStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    ctx.commands().run(List.of("make", "defconfig"), ctx.cwd(), ctx.env());
    String tool = ctx.env().get("BQ2_KCONFIG_CONFIG_TOOL");
    if (tool != null && !tool.isEmpty() && Files.isRegularFile(StepPaths.resolve(ctx, tool))) {
      ctx.commands().run(List.of(tool, "--file", ".config", "--disable", "STATIC_LIBGCC"), ctx.cwd(), ctx.env());
      ctx.commands().run(List.of("make", "silentoldconfig"), ctx.cwd(), ctx.env());
    } else {
      ctx.commands().note("WARN BQ2_KCONFIG_CONFIG_TOOL not set or missing; keeping defconfig STATIC_LIBGCC");
    }
    ctx.commands().run(List.of("make", "-j" + ctx.jobs()), ctx.cwd(), ctx.env());
    String destdir = StepPaths.destdir(ctx);
    String root = destdir != null ? destdir : ctx.installPrefix();
    ctx.commands().run(List.of("make", "CONFIG_PREFIX=" + root, "install"), ctx.cwd(), ctx.env());
  }
}
