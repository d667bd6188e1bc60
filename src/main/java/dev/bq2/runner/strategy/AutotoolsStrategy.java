package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * `autotools`: `./configure --prefix=P flags`, `make -jN`, `make [DESTDIR=D] install`. Without
 * `./configure` but with a CMakeLists.txt it builds like `cmake-project`, as the old tool does.
 * Unlike the old tool it is never used for unknown strategy names (the runner reports those).
 * `make distclean`/`make clean` runs only when the runner wanted a clean tree and could not
 * restore one (`StepContext.cleanFallback`).
 */
final class AutotoolsStrategy implements Strategy {
  /** Pre-generated files that must look newer than configure.ac so automake is not re-run. */
  static final List<String> GENERATED = List.of(
      "aclocal.m4", "configure", "config.h.in", "config.hin", "Makefile.in", "lib/config.hin",
      "src/config.h.in", "src/config.hin", "include/config.h.in", "include/config.hin");

  private final CmakeProjectStrategy cmakeFallback;

  AutotoolsStrategy(CmakeProjectStrategy cmakeFallback) {
    this.cmakeFallback = cmakeFallback;
  }

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    Path cwd = ctx.cwd();
    if (Files.exists(cwd.resolve("configure"))) {
      // The last resort: the runner restores the tree itself when it can (archive, git, pristine copy).
      if (ctx.cleanFallback() && Files.exists(cwd.resolve("Makefile"))) {
        int status = ctx.commands().runTolerant(List.of("make", "distclean"), cwd, ctx.env());
        if (status != 0) {
          ctx.commands().note("WARN make distclean failed (" + status + "); attempting make clean");
          status = ctx.commands().runTolerant(List.of("make", "clean"), cwd, ctx.env());
          if (status != 0) ctx.commands().note("WARN make clean failed (" + status + "); continuing");
        }
      }
      normalizeTimestamps(ctx);
      List<String> configure = new ArrayList<>();
      configure.add("./configure");
      configure.add("--prefix=" + ctx.installPrefix());
      configure.addAll(ctx.step().configureFlags());
      ctx.commands().run(configure, cwd, ctx.env());
      ctx.commands().run(List.of("make", "-j" + ctx.jobs()), cwd, ctx.env());
      makeInstall(ctx, cwd, List.of());
    } else if (CmakeProjectStrategy.cmakeListsPresent(ctx)) {
      ctx.commands().note("No ./configure but CMakeLists.txt found; building as cmake-project");
      cmakeFallback.execute(ctx);
    } else {
      throw new StepFailedException("Unknown build strategy " + ctx.step().strategy()
          + " and missing ./configure in " + cwd);
    }
  }

  /** `make [makeArgs] [DESTDIR=<destdir>] install` in dir, DESTDIR only when one is set. */
  static void makeInstall(StepContext ctx, Path dir, List<String> makeArgs)
      throws StepFailedException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add("make");
    argv.addAll(makeArgs);
    String destdir = StepPaths.destdir(ctx);
    if (destdir != null) argv.add("DESTDIR=" + destdir);
    argv.add("install");
    ctx.commands().run(argv, dir, ctx.env());
  }

  /** Bumps generated files not newer than configure.ac to configure.ac + 1 s (old tool's rule). */
  private static void normalizeTimestamps(StepContext ctx) {
    Path configureAc = ctx.cwd().resolve("configure.ac");
    if (!Files.exists(configureAc)) return;
    FileTime reference;
    try {
      reference = Files.getLastModifiedTime(configureAc);
    } catch (IOException e) {
      ctx.commands().note("WARN cannot read mtime of " + configureAc + ": " + e.getMessage());
      return;
    }
    FileTime bump = FileTime.fromMillis(reference.toMillis() + 1000);
    for (String candidate : GENERATED) {
      Path file = ctx.cwd().resolve(candidate);
      try {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) continue;
        if (Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).compareTo(reference) > 0) continue;
        Files.setLastModifiedTime(file, bump);
      } catch (IOException e) {
        ctx.commands().note("WARN Failed to bump autotools timestamp for " + candidate + ": " + e.getMessage());
      }
    }
  }
}
