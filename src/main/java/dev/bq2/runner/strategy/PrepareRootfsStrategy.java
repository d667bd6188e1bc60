package dev.bq2.runner.strategy;

import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.util.Map;

/** `prepare-rootfs` (legacy): writes `FILE_<i>_PATH`/`FILE_<i>_CONTENT` pairs from the step env. */
final class PrepareRootfsStrategy implements Strategy {
  @Override
  public void execute(StepContext ctx) throws StepFailedException {
    Map<String, String> env = ctx.step().env();
    int written = 0;
    for (int i = 0; ; i++) {
      String pathKey = "FILE_" + i + "_PATH";
      String contentKey = "FILE_" + i + "_CONTENT";
      String path = env.get(pathKey);
      String content = env.get(contentKey);
      if (path == null && content == null) break;
      if (path == null) throw new StepFailedException("prepare-rootfs requires " + pathKey);
      if (content == null) throw new StepFailedException("prepare-rootfs requires " + contentKey);
      WriteFileStrategy.write(StepPaths.underDestdir(ctx, path), content);
      written++;
    }
    if (written == 0) throw new StepFailedException("prepare-rootfs wrote no files");
  }
}
