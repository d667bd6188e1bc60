package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `apk-add` (the Alpine seed's packages) and `alpine-setup` (a fixed list): `apk add --no-cache
 * <packages...>`. As in the old tool, apk gets the process env with the phase env on top but
 * not the step env, and a failure is `apk add failed (<exit>)` without a `command` in the report
 * (its output is still in the step log).
 */
final class ApkAddStrategy implements Strategy {
  /** The old tool's `AlpineSetup::SYSROOT_RUNNER_PACKAGES`, for `alpine-setup`. */
  static final List<String> SYSROOT_RUNNER_PACKAGES = List.of(
      "bash", "binutils", "clang", "libgcc", "libstdc++-dev", "libressl-dev", "crystal", "lld", "llvm-libs",
      "linux-headers", "make", "musl-dev", "patch", "zlib-dev", "pcre2-dev", "gc-dev", "yaml-dev", "perl",
      "python3", "shards");

  private final List<String> fixed;

  /** @param fixed the packages of `alpine-setup`; null for `apk-add` (the step's `packages`) */
  ApkAddStrategy(List<String> fixed) {
    this.fixed = fixed;
  }

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    List<String> packages = fixed != null ? fixed : ctx.step().packages();
    if (packages == null) throw new StepFailedException("apk-add requires step.packages");
    if (packages.isEmpty()) {
      ctx.commands().note("apk-add: no packages listed; nothing to install");
      return;
    }
    List<String> argv = new ArrayList<>(List.of("apk", "add", "--no-cache"));
    argv.addAll(packages);
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    env.putAll(ctx.phase().env());
    int exit = ctx.commands().runTolerant(argv, ctx.cwd(), env);
    if (exit != 0) throw new StepFailedException("apk add failed (" + exit + ")");
  }
}
