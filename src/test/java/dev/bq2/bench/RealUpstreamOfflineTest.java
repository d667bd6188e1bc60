package dev.bq2.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline subset of `bench/real-world` (issue 8 §6): real upstream tarballs vendored in
 * `src/test/resources/real-world/` (see SOURCES.md there), each unpacked into its own rootfs and
 * built by `bq2 iterate --assistant rules --all-phases` (a real child JVM, real configure/make) in
 * the benchmark configuration its packages.tsv line names (`strict`: the flags newer compilers
 * make default; `musl`: `musl-gcc -static`). Whatever the
 * rules do, the outcome must be recorded (completed, or stopped for a person with a reason) and
 * no override may stay in force whose delta did not help.
 */
class RealUpstreamOfflineTest {
  /** The `strict` and `musl` configurations of bench/real-world/realbench.py (keep them equal). */
  static final Map<String, Map<String, String>> CONFIGS = Map.of(
      "strict", Map.of(
          "CC", "gcc",
          "CXX", "g++",
          "CFLAGS", "-O2 -std=gnu2x -Werror=implicit-function-declaration -Werror=implicit-int "
              + "-Werror=incompatible-pointer-types -Werror=int-conversion -fno-common",
          "CXXFLAGS", "-O2 -std=gnu++20"),
      "musl", Map.of("CC", "musl-gcc -static", "CFLAGS", "-O2"));

  static final Path RESOURCES = Path.of("src/test/resources/real-world").toAbsolutePath();

  record Vendored(String name, String debianSource, String build, String config) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Vendored> packages() throws IOException {
    List<Vendored> out = new ArrayList<>();
    for (String line : Files.readAllLines(RESOURCES.resolve("packages.tsv"))) {
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.split("\t");
      assertTrue(CONFIGS.containsKey(f[3]), "test-config of " + f[0] + " is one of " + CONFIGS.keySet());
      out.add(new Vendored(f[0], f[1], f[2], f[3]));
    }
    assertFalse(out.isEmpty(), "packages.tsv lists the vendored packages");
    return out;
  }

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("packages")
  @Timeout(600)
  void iterateRecordsTheOutcomeAndKeepsNoUselessDelta(Vendored p) throws Exception {
    if (p.config().equals("musl")) {
      assertTrue(onPath("musl-gcc"), "musl-gcc is missing: install Debian musl-tools (listed in .ci/run)");
    }
    Path tarball = tarball(p.debianSource());
    Path rootfs = dir.resolve("rootfs");
    Path workspace = Files.createDirectories(rootfs.resolve("workspace"));
    run(workspace, "tar", "xf", tarball.toString(), "-C", workspace.toString());
    Path src;
    try (Stream<Path> s = Files.list(workspace)) {
      src = s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    writePlan(rootfs, p, src);
    Path fsRoot = Files.createDirectories(dir.resolve("fsroot"));
    Path sessions = dir.resolve("session");

    // As bench/real-world/run.sh: a user config that keeps the runner's step logs in this rootfs
    // (iterate does not pass --log-dir to the runner it starts).
    Path config = dir.resolve("bq2.properties");
    Files.writeString(config, "log-dir=" + rootfs.resolve("var/lib/sysroot-build-logs") + "\n");
    Bq2Child c = Bq2Child.run(dir, Map.of("BQ2_CONFIG", config.toString()), Duration.ofSeconds(580), "iterate",
        "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--session-dir", sessions.toString(),
        "--assistant", "rules", "--all-phases", "--quiet", "--jobs", "2", "--max-iterations", "8");

    Path lib = rootfs.resolve("var/lib");
    List<JsonNode> events = events(sessions);
    String context = c + "\nevents: " + events;
    assertTrue(c.exit == 0 || c.exit == 3, "completed (0) or stopped for a person (3), not a crash: " + context);
    assertTrue(events.stream().anyMatch(e -> type(e).equals("runner_started")), "a real runner ran: " + context);
    boolean completed = completedSteps(lib).contains(p.name());
    if (c.exit == 0) {
      assertTrue(completed, "exit 0 means the step completed: " + context);
    } else {
      assertFalse(completed, context);
      JsonNode stop = events.stream().filter(e -> type(e).equals("stopped")).reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("exit 3 without a stopped event: " + context));
      assertFalse(stop.path("message").asText().isBlank(), "the stop says why: " + context);
    }
    for (JsonNode f : events) {
      if (!type(f).equals("failure")) continue;
      assertTrue(f.path("data").path("excerpt").size() > 0, "each failure records its excerpt: " + f);
      assertFalse(f.path("data").path("signature").asText().isBlank(), "and its signature: " + f);
    }
    assertNoUselessDeltaKept(lib, context);
    boolean failedFirst = events.stream().filter(e -> type(e).equals("runner_exited")).findFirst()
        .map(e -> e.path("data").path("exit_code").asInt() != 0).orElse(false);
    if (!failedFirst) {
      assertTrue(stepOverrides(lib).isEmpty(), "no override on a package that builds: " + context);
    }
  }

  /**
   * Every delta still in force (applied, not reverted) must have fixed its failure or turned it
   * into a different one; one after which the same failure came back, or one with no outcome at
   * all when the loop ended, is a kept useless delta.
   */
  static void assertNoUselessDeltaKept(Path lib, String context) throws IOException {
    Path history = lib.resolve("sysroot-build-overrides.history.jsonl");
    if (!Files.exists(history)) {
      assertTrue(stepOverrides(lib).isEmpty(), "overrides without a history: " + context);
      return;
    }
    Map<String, JsonNode> applied = new LinkedHashMap<>();
    Map<String, String> outcome = new HashMap<>();
    Set<String> reverted = new HashSet<>();
    for (String line : Files.readAllLines(history)) {
      if (line.isBlank()) continue;
      JsonNode h = Json.MAPPER.readTree(line);
      String id = h.path("id").asText();
      switch (h.path("event").asText()) {
        case "applied" -> applied.put(id, h);
        case "outcome" -> outcome.put(id, h.path("outcome").asText());
        case "reverted" -> reverted.add(id);
        default -> { }
      }
    }
    for (Map.Entry<String, JsonNode> a : applied.entrySet()) {
      if (reverted.contains(a.getKey())) continue;
      String o = outcome.get(a.getKey());
      assertTrue("fixed".equals(o) || "new_failure".equals(o),
          "delta " + a.getValue().path("delta") + " is still in force with outcome " + o + ": " + context);
    }
  }

  static Path tarball(String debianSource) throws IOException {
    try (Stream<Path> s = Files.list(RESOURCES)) {
      return s.filter(f -> f.getFileName().toString().startsWith(debianSource + "_")
              && f.getFileName().toString().contains(".orig.tar."))
          .findFirst().orElseThrow(() -> new AssertionError("no vendored tarball for " + debianSource));
    }
  }

  static void writePlan(Path rootfs, Vendored p, Path src) throws IOException {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("name", p.name());
    step.put("strategy", p.build().equals("cmake") ? "cmake-project" : "autotools");
    step.put("workdir", src.toString());
    step.put("configure_flags", List.of());
    step.put("patches", List.of());
    step.put("env", Map.of());
    step.put("clean_build", false);
    Map<String, Object> phase = new LinkedHashMap<>();
    phase.put("name", "build-" + p.config());
    phase.put("description", p.name() + ": bench/real-world configuration " + p.config());
    phase.put("namespace", "host");
    phase.put("install_prefix", "/usr");
    phase.put("destdir", rootfs.resolve("stage").toString());
    phase.put("env", CONFIGS.get(p.config()));
    phase.put("steps", List.of(step));
    Path plan = Files.createDirectories(rootfs.resolve("var/lib")).resolve("sysroot-build-plan.json");
    Files.writeString(plan, Json.MAPPER.writerWithDefaultPrettyPrinter()
        .writeValueAsString(Map.of("format_version", 2, "phases", List.of(phase))));
  }

  static Set<String> completedSteps(Path lib) throws IOException {
    Set<String> out = new HashSet<>();
    Path state = lib.resolve("sysroot-build-state.json");
    if (!Files.exists(state)) return out;
    Json.MAPPER.readTree(state.toFile()).path("progress").path("completed_steps")
        .forEach(steps -> steps.forEach(s -> out.add(s.asText())));
    return out;
  }

  /** The step overrides in force (non-empty ones only). */
  static List<String> stepOverrides(Path lib) throws IOException {
    List<String> out = new ArrayList<>();
    Path overrides = lib.resolve("sysroot-build-overrides.json");
    if (!Files.exists(overrides)) return out;
    Json.MAPPER.readTree(overrides.toFile()).path("phases").forEach(ph -> ph.path("steps").fields().forEachRemaining(s -> {
      JsonNode o = s.getValue();
      boolean any = o.path("env").size() > 0 || o.path("configure_flags_add").size() > 0
          || o.path("patches_add").size() > 0 || o.has("configure_flags") || o.has("patches");
      if (any) out.add(s.getKey() + ": " + o);
    }));
    return out;
  }

  static List<JsonNode> events(Path sessions) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(sessions)) return out;
    List<Path> files;
    try (Stream<Path> s = Files.walk(sessions)) {
      files = s.filter(f -> f.getFileName().toString().equals("events.jsonl")).sorted().toList();
    }
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) out.add(Json.MAPPER.readTree(line));
      }
    }
    return out;
  }

  /** `bq2 ARGS` as a child JVM (as {@link ChildJvm} starts it) with extra environment. */
  record Bq2Child(int exit, String output) {
    static Bq2Child run(Path cwd, Map<String, String> env, Duration timeout, String... args)
        throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
      cmd.addAll(List.of(args));
      Path out = cwd.resolve("iterate.out");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectOutput(out.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("bq2 did not finish within " + timeout + ": " + Files.readString(out));
      }
      return new Bq2Child(p.exitValue(), Files.readString(out));
    }

    @Override
    public String toString() {
      return "bq2 exit " + exit + ", output:\n" + output;
    }
  }

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
    }
    return false;
  }

  static String type(JsonNode e) {
    return e.path("type").asText();
  }

  static void run(Path cwd, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", argv));
    assertEquals(0, p.exitValue(), String.join(" ", argv) + ": " + out);
  }
}
