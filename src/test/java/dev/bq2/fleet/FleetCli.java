package dev.bq2.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** `bq2 ARGS` as a real child JVM (test class path) with the cluster's environment, and small rootfs plans. */
final class FleetCli {
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private FleetCli() {}

  static Result run(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(cwd, "bq2-", ".out");
    Path err = Files.createTempFile(cwd, "bq2-", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("SLURM_JOB_ID");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("bq2 " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  /** A one-phase host plan of shell steps (name → script) in `rootfs/var/lib/`, in the existing tool's format. */
  static Path plan(Path rootfs, String phase, Map<String, String> env, Map<String, String> steps) throws IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", phase);
    p.put("description", "test phase " + phase);
    p.put("namespace", "host");
    p.put("install_prefix", "/usr");
    p.put("destdir", rootfs.toString());
    p.put("env", env);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Map.Entry<String, String> s : steps.entrySet()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.getKey());
      m.put("strategy", "shell");
      m.put("workdir", rootfs.toString());
      m.put("configure_flags", List.of());
      m.put("patches", List.of());
      m.put("env", Map.of());
      m.put("clean_build", false);
      m.put("content", s.getValue());
      list.add(m);
    }
    p.put("steps", list);
    Path plan = rootfs.resolve("var/lib/sysroot-build-plan.json");
    Files.createDirectories(plan.getParent());
    Files.writeString(plan, dev.bq2.json.Json.pretty(Map.of("format_version", 2, "phases", List.of(p))));
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
