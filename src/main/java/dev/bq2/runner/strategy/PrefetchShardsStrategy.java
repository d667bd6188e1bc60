package dev.bq2.runner.strategy;

import dev.bq2.plan.ExtractSpec;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * `prefetch-shards`: for each `extract_sources` entry with a `build_directory` that holds a
 * `shard.yml` (under the step's own destdir, else the workdir), `shards install` there, so the
 * Crystal builds of later phases find their dependencies without network (docs/formats.md#upstream-formats).
 * Entries without a shard.yml are skipped: a plan whose sources have none is a no-op.
 */
final class PrefetchShardsStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    List<ExtractSpec> specs = ctx.step().extractSources();
    if (specs == null) {
      throw new StepFailedException("prefetch-shards requires extract_sources in step " + ctx.step().name());
    }
    // The step's own destdir only, as the old tool: the phase's is an install root, not a source tree.
    String stepDestdir = ctx.step().destdir();
    Path base = stepDestdir != null && !stepDestdir.isEmpty() ? StepPaths.resolve(ctx, stepDestdir) : ctx.cwd();
    int prefetched = 0;
    for (ExtractSpec spec : specs) {
      if (spec.buildDirectory() == null) continue;
      Path dir = base.resolve(spec.buildDirectory()).normalize();
      if (!Files.isRegularFile(dir.resolve("shard.yml"))) continue;
      ctx.commands().note("Prefetching shards dependencies in " + dir);
      ctx.commands().run(List.of("shards", "install"), dir, ctx.env());
      prefetched++;
    }
    if (prefetched == 0) ctx.commands().note("No shard.yml in any build directory under " + base + "; nothing to prefetch");
  }
}
