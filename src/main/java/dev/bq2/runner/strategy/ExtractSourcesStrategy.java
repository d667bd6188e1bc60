package dev.bq2.runner.strategy;

import dev.bq2.plan.ExtractSpec;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * `extract-sources` (and `populate-seed`): unpacks each archive from the sources directory with
 * the system `tar -xf` (compression detected by tar) into the step destdir, else the workdir.
 */
final class ExtractSourcesStrategy implements Strategy {
  private final String name;

  ExtractSourcesStrategy(String name) {
    this.name = name;
  }

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    List<ExtractSpec> specs = ctx.step().extractSources();
    if (specs == null || specs.isEmpty()) {
      throw new StepFailedException(name + " requires extract_sources in step " + ctx.step().name());
    }
    String sourcesDir = ctx.step().sourcesDirectory();
    Path archives = sourcesDir != null && !sourcesDir.isEmpty() ? StepPaths.resolve(ctx, sourcesDir) : ctx.cacheDir();
    String stepDestdir = ctx.step().destdir();
    Path dest = stepDestdir != null && !stepDestdir.isEmpty() ? StepPaths.resolve(ctx, stepDestdir) : ctx.cwd();
    for (ExtractSpec spec : specs) {
      Path archive = archives.resolve(spec.filename());
      if (!Files.isRegularFile(archive)) throw new StepFailedException("Missing source tarball " + archive);
      Path expected = spec.buildDirectory() == null ? null : dest.resolve(spec.buildDirectory());
      if (ctx.resume() && expected != null && Files.isDirectory(expected)) {
        ctx.commands().note("WARN Skipping extraction of " + archive + ": " + expected + " already exists");
        continue;
      }
      try {
        Files.createDirectories(dest);
      } catch (IOException e) {
        throw new StepFailedException("Cannot create " + dest + ": " + e);
      }
      ctx.commands().run(List.of("tar", "-xf", archive.toString(), "-C", dest.toString()), dest, ctx.env());
      if (expected != null && !Files.isDirectory(expected)) {
        throw new StepFailedException("Expected " + expected + " after extracting " + archive);
      }
    }
  }
}
