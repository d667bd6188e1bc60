package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import java.nio.file.Path;

/**
 * Path resolution for strategies. The existing tool chdirs into the workdir, so relative plan
 * paths mean "relative to the workdir"; a JVM cannot chdir, so we resolve against `ctx.cwd()`.
 */
final class StepPaths {
  private StepPaths() {}

  /** A plan path as the old tool would see it after chdir into the workdir. */
  static Path resolve(StepContext ctx, String path) {
    return ctx.resolve(path);
  }

  /**
   * The DESTDIR-joined path (docs/formats.md#upstream-formats), resolved like any plan path. Plan paths are
   * inside paths, so the join comes first and only then the mapping under a rootfs.
   */
  static Path underDestdir(StepContext ctx, String path) {
    String d = ctx.destdir();
    String joined = d == null || d.isEmpty() ? path : d + (path.startsWith("/") ? path : "/" + path);
    return resolve(ctx, joined);
  }

  /** The effective destdir as an absolute path (make runs in subdirectories), or null. */
  static String destdir(StepContext ctx) {
    String d = ctx.destdir();
    if (d == null || d.isEmpty()) return null;
    return resolve(ctx, d).toString();
  }

  /**
   * A host path as a command sees it: inside the rootfs when the step entered one (for values a
   * strategy passes in the environment, which is not rewritten like argv), else unchanged.
   */
  static String asSeenByCommands(StepContext ctx, String hostPath) {
    if (ctx.view() == null) return hostPath;
    String inside = ctx.view().insidePath(Path.of(hostPath));
    return inside != null ? inside : hostPath;
  }
}
