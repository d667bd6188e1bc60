package dev.bq2.runner.strategy;

import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.ExtractSpec;
import dev.bq2.plan.SourceSpec;
import dev.bq2.runner.StepContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a BuildStep and its StepContext directly, the way the runner resolves them. */
final class TestStep {
  final String name;
  final String strategy;
  String workdir;
  List<String> flags = List.of();
  List<String> patches = List.of();
  String buildDir;
  String installPrefix;
  String destdir;
  Map<String, String> env = new LinkedHashMap<>();
  boolean cleanBuild;
  List<SourceSpec> sources;
  List<ExtractSpec> extracts;
  String content;
  String sourcesDirectory;
  // Context-side values.
  /** Never a system path: a regression that ignores DESTDIR must not touch the machine (tests may run as root). */
  String phasePrefix = Path.of(System.getProperty("java.io.tmpdir"), "bq2-strategy-test-prefix").toString();
  String phaseDestdir;
  Path cwd;
  Path cacheDir;
  boolean resume = true;
  int jobs = 2;

  TestStep(String name, String strategy, Path cwd) {
    this.name = name;
    this.strategy = strategy;
    this.cwd = cwd;
    this.workdir = cwd.toString();
    this.cacheDir = cwd.resolve("cache");
  }

  BuildStep step() {
    return new BuildStep(name, strategy, workdir, flags, patches, buildDir, installPrefix, destdir, env,
        cleanBuild, sources, extracts, null, content, sourcesDirectory);
  }

  StepContext context(LoggingCommandRunner commands) {
    BuildStep step = step();
    BuildPhase phase = new BuildPhase("test-phase", "test", "host", phasePrefix, phaseDestdir, Map.of(),
        new ArrayList<>(List.of(step)));
    Map<String, String> childEnv = new LinkedHashMap<>(System.getenv());
    childEnv.putAll(env);
    String prefix = installPrefix != null ? installPrefix : phasePrefix;
    String dd = destdir != null ? destdir : phaseDestdir;
    return new StepContext(phase, step, cwd, childEnv, Map.copyOf(env), prefix, dd, jobs, resume, cacheDir, commands);
  }
}
