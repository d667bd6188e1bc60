package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real rootfs, builder repo and two tiny C packages for driving `bq2 iterate` end to end as a
 * child JVM (so the assistant CLIs inherit a test-only environment: CODEX_HOME, HOME,
 * ANTHROPIC_BASE_URL). Phase `p` builds `pkg1` then `pkg2`; each Makefile only compiles when the
 * package's own CPPFLAGS is set, a fact no built-in rule knows. Phase `later` follows.
 */
final class IterateRig {
  final Path tmp;
  final Path rootfs;
  final Path repo;
  final Path fsRoot;
  final Path sessionFile;
  final Path claudeSessionFile;
  /** False: run without `--repo` (sessions then go under the rootfs, assistants run in the cwd). */
  boolean passRepo = true;

  record Run(int exit, String out) {}

  IterateRig(Path tmp) throws IOException {
    this.tmp = tmp;
    this.rootfs = Files.createDirectories(tmp.resolve("rootfs"));
    this.repo = Files.createDirectories(tmp.resolve("repo"));
    this.fsRoot = Files.createDirectories(tmp.resolve("fs-root"));
    this.sessionFile = tmp.resolve("codex-session-id");
    this.claudeSessionFile = tmp.resolve("claude-session-id");
    Files.createDirectories(rootfs.resolve("var/lib"));
    pkg("pkg1", "BQ2_OK");
    pkg("pkg2", "BQ2_OK2");
    Files.writeString(plan(), """
        {
          "format_version": 2,
          "phases": [
            {"name": "p", "description": "two packages", "namespace": "host", "install_prefix": "/", "env": {},
             "steps": [%s, %s]},
            {"name": "later", "description": "after p", "namespace": "host", "install_prefix": "/", "env": {},
             "steps": [{"name": "noop", "strategy": "shell", "workdir": "%s", "configure_flags": [], "patches": [],
                        "env": {}, "clean_build": false, "content": "true"}]}
          ]
        }
        """.formatted(step("pkg1"), step("pkg2"), tmp));
  }

  private String step(String name) {
    return "{\"name\": \"" + name + "\", \"strategy\": \"shell\", \"workdir\": \"" + tmp.resolve(name)
        + "\", \"configure_flags\": [], \"patches\": [], \"env\": {}, \"clean_build\": false, \"content\": \"make\"}";
  }

  private void pkg(String name, String define) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve("Makefile"), name + ": " + name + ".c\n\t$(CC) $(CPPFLAGS) -o " + name + " " + name + ".c\n");
    Files.writeString(dir.resolve(name + ".c"), "#ifndef " + define + "\n#error " + name
        + " must be built with CPPFLAGS=-D" + define + "\n#endif\nint main(void) { return 0; }\n");
  }

  Path plan() {
    return rootfs.resolve("var/lib/sysroot-build-plan.json");
  }

  Path overrides() {
    return rootfs.resolve("var/lib/sysroot-build-overrides.json");
  }

  Path history() {
    return rootfs.resolve("var/lib/sysroot-build-overrides.history.jsonl");
  }

  Path state() {
    return rootfs.resolve("var/lib/sysroot-build-state.json");
  }

  JsonNode stateJson() throws IOException {
    return Json.MAPPER.readTree(Files.readString(state()));
  }

  /** `next_phase` as `bq2 sysroot-status` computes it (overrides applied). */
  String nextPhase() {
    return dev.bq2.state.Status.compute(dev.bq2.rootfs.RootfsLayout.of(rootfs), true).nextPhase();
  }

  /** The effective value of a step's override env key, or null. */
  String overrideEnv(String step, String key) throws IOException {
    if (!Files.exists(overrides())) return null;
    JsonNode v = Json.MAPPER.readTree(Files.readString(overrides())).at("/phases/p/steps/" + step + "/env/" + key);
    return v.isMissingNode() ? null : v.asText();
  }

  /** `bq2 iterate` on this rig as a child JVM with {@code env} added; waits up to 3 minutes. */
  /** `bq2 iterate --assistant claude` against {@code stub}, with Claude's home under {@code home}. */
  Run iterateWithClaude(Path home, MessagesStub stub, String... more) throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("HOME", Files.createDirectories(home).toString());
    env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + stub.port());
    env.put("ANTHROPIC_API_KEY", "dummy");
    env.put("CLAUDE_CODE_MAX_RETRIES", "0");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.put("DISABLE_TELEMETRY", "1");
    List<String> args = new ArrayList<>(List.of("--assistant", "claude",
        "--assistant-binary", Fixtures.binary("claude").toString(), "--quiet"));
    args.addAll(List.of(more));
    return iterate(env, args.toArray(String[]::new));
  }

  Run iterate(Map<String, String> env, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2", "iterate",
        "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(),
        "--session-file", sessionFile.toString(), "--claude-session-file", claudeSessionFile.toString()));
    if (passRepo) argv.addAll(List.of("--repo", repo.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile()).redirectErrorStream(true);
    pb.environment().remove("BQ2_ROOTFS");
    pb.environment().putAll(env);
    Path out = tmp.resolve("iterate-" + System.nanoTime() + ".out");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("bq2 iterate did not finish in 3 minutes:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  /** Every journal event of every session, in order. */
  List<JsonNode> events() throws IOException {
    Path sessions = passRepo ? repo.resolve("session") : rootfs.resolve("var/lib/sysroot-build-sessions");
    List<JsonNode> all = new ArrayList<>();
    if (!Files.isDirectory(sessions)) return all;
    List<Path> dirs;
    try (Stream<Path> s = Files.list(sessions)) {
      dirs = s.sorted().toList();
    }
    for (Path d : dirs) {
      Path f = d.resolve("events.jsonl");
      if (!Files.exists(f)) continue;
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) all.add(Json.MAPPER.readTree(line));
      }
    }
    return all;
  }

  List<JsonNode> events(String type) throws IOException {
    return events().stream().filter(e -> type.equals(e.path("type").asText())).toList();
  }

  /** Asserts nothing was applied: no overrides file, no `applied` history line. */
  void assertNothingApplied(Run r) throws IOException {
    assertTrue(!Files.exists(overrides()), () -> "overrides written:\n" + r.out());
    assertTrue(!Files.exists(history()) || !readString(history()).contains("\"applied\""), () -> "history:\n" + r.out());
  }

  private static String readString(Path p) throws IOException {
    return Files.readString(p);
  }

  /** A proposal in the strict schema shape: env as name/value pairs). */
  static String proposal(String step, String key, String value, String rationale) {
    return "{\"phase\":\"p\",\"step\":\"" + step + "\",\"configure_flags_add\":[],\"env\":[{\"name\":\"" + key
        + "\",\"value\":\"" + value + "\"}],\"patches_add\":[],\"build_dir\":null,\"clean_build\":null,\"rationale\":\""
        + rationale + "\",\"escalate\":false}";
  }
}
