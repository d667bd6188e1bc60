package dev.bq2.fleet;

import dev.bq2.autopilot.Fixture;
import dev.bq2.cli.Bq2Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** `bq2 ARGS` as a real child JVM ({@link Bq2Child}) with the cluster's environment, and small rootfs plans. */
final class FleetCli {
  private FleetCli() {}

  /** A fleet command may wait on the cluster (cancel waits up to 120 s for its jobs to end). */
  static Bq2Child.Result run(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.putIfAbsent("SLURM_JOB_ID", null); // not a batch job, whatever runs the tests
    return Bq2Child.run(Duration.ofMinutes(5), cwd, childEnv, args);
  }

  /** A one-phase host plan of shell steps (name → script) in `rootfs/var/lib/`, in the existing tool's format. */
  static Path plan(Path rootfs, String phase, Map<String, String> env, Map<String, String> steps) throws IOException {
    Fixture.plan(rootfs, phase, env, steps.entrySet().stream().map(s -> Fixture.Step.shell(s.getKey(), s.getValue()))
        .toArray(Fixture.Step[]::new));
    return rootfs;
  }

  /** Every file under {@code dir} named {@code name}, whole text joined. */
  static String allFiles(Path dir, String name) throws IOException {
    if (!Files.isDirectory(dir)) return "";
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().equals(name)).sorted(Comparator.naturalOrder()).toList()) {
        b.append(Files.readString(p));
      }
    }
    return b.toString();
  }
}
