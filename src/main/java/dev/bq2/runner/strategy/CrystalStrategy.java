package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.util.List;

/**
 * `crystal`: a shards project (bootstrap-qcow2 itself): `shards build` builds the targets of
 * its shard.yml into `bin/`, which is installed as in `crystal-build`.
 */
final class CrystalStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    ctx.commands().run(List.of("shards", "build"), ctx.cwd(), ctx.env());
    CrystalBuildStrategy.installBinaries(ctx);
  }
}
