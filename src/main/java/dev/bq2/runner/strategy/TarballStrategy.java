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
 * `tarball`: `tar -czf <install_prefix> <excludes> -C <root> .` where root is the workdir (or
 * `/`) under the destdir; pseudo filesystems, scratch and state dirs are left out.
 */
final class TarballStrategy implements Strategy {
  static final List<String> EXCLUDED = List.of(
      "./proc", "./sys", "./dev", "./run", "./tmp", "./workspace", "./work", "./var/lib");

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    String output = ctx.step().installPrefix();
    if (output == null) throw new StepFailedException("tarball requires step.install_prefix (output path)");
    // The workdir as the plan sees it (inside the rootfs when the phase entered one).
    String sourceRoot = ctx.step().workdir() == null ? "/"
        : ctx.view() != null ? ctx.view().insidePath(ctx.cwd()) : ctx.cwd().toString();
    String destdir = ctx.destdir();
    if (destdir != null && !destdir.isEmpty() && !sourceRoot.startsWith(destdir)) {
      sourceRoot = sourceRoot.equals("/") ? destdir : destdir + sourceRoot;
    }
    Path root = StepPaths.resolve(ctx, sourceRoot);
    if (!Files.isDirectory(root)) throw new StepFailedException("Missing tarball source " + root);
    Path out = StepPaths.resolve(ctx, output);
    try {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
    } catch (IOException e) {
      throw new StepFailedException("Cannot create " + out.getParent() + ": " + e);
    }
    List<String> argv = new ArrayList<>(List.of("tar", "-czf", out.toString()));
    for (String dir : EXCLUDED) {
      argv.add("--exclude=" + dir);
      argv.add("--exclude=" + dir + "/**");
    }
    argv.add("--exclude=./.bq2-rootfs");
    argv.addAll(List.of("-C", root.toString(), "."));
    ctx.commands().run(argv, root, ctx.env());
  }
}
