package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bq2.json.AtomicFile;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import dev.bq2.rootfs.OwnCommand;
import dev.bq2.rootfs.RootfsLayout;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real builder repo (git) with a plan spec, a rootfs whose plan it generated, and our real
 * runner started as a child process. The one phase `p` has shell steps: `greet` fails unless
 * GREETING=hello, `patched` fails unless its workdir file was patched, `done` always works.
 */
final class Fixture {
  final Path dir;
  final Path repo;
  final Path rootfs;
  final Path spec;
  final RootfsLayout layout;

  static final String SPEC = """
      {
        "spec_version": 1,
        "vars": {"ROOTFS": "../rootfs"},
        "plan": {"format_version": 2, "phases": [
          {"name": "p", "description": "Test phase", "namespace": "host", "install_prefix": "/usr",
           "env": {"BQ2_ARCH": "testarch"},
           "steps": [
            {"name": "greet", "strategy": "shell", "workdir": "${ROOTFS}/work", "configure_flags": [], "patches": [],
             "env": {}, "clean_build": false, "content": "test \\"$GREETING\\" = hello; echo \\"$GREETING\\" > greeting.txt"},
            {"name": "patched", "strategy": "shell", "workdir": "${ROOTFS}/work", "configure_flags": [], "patches": [],
             "env": {}, "clean_build": false, "content": "grep -q fixed input.txt"},
            {"name": "done", "strategy": "shell", "workdir": "${ROOTFS}/work", "configure_flags": [], "patches": [],
             "env": {}, "clean_build": false, "content": "true"}
          ]}
        ]}
      }
      """;

  Fixture(Path dir) throws Exception {
    this.dir = dir;
    this.repo = dir.resolve("repo");
    this.rootfs = dir.resolve("rootfs");
    this.spec = repo.resolve("plan-spec.json");
    this.layout = RootfsLayout.of(rootfs);
    Files.createDirectories(repo);
    Files.createDirectories(rootfs.resolve("work"));
    Files.createDirectories(rootfs.resolve("var/lib"));
    Files.writeString(rootfs.resolve("work/input.txt"), "broken\n");
    Files.writeString(spec, SPEC);
    Files.writeString(repo.resolve(".gitignore"), "session/\n");
    Files.writeString(repo.resolve("README.md"), "builder\n");
    git("init", "-q", "-b", "main");
    git("config", "user.name", "t");
    git("config", "user.email", "t@localhost");
    git("add", "-A");
    git("commit", "-q", "-m", "builder");
    AtomicFile.writeJson(layout.plan(), PlanSpec.read(spec).generate(spec));
  }

  /** The two fixes the phase needs, applied the autopilot's way (history lines with rationale). */
  void applyFixes() throws IOException {
    Path patch = dir.resolve("fix-input.patch");
    Files.writeString(patch, "--- a/input.txt\n+++ b/input.txt\n@@ -1 +1 @@\n-broken\n+fixed\n");
    OverridesEditor ed = new OverridesEditor(layout.overrides(), layout.overridesHistory());
    ed.apply(new Proposal("p", "greet", List.of(), Map.of("GREETING", "hello"), List.of(), null, null,
        "greet needs GREETING=hello", false), null, "rules");
    ed.apply(new Proposal("p", "patched", List.of(), Map.of(), List.of(patch.toString()), null, null,
        "input.txt needs the fix patch", false), null, "codex");
  }

  /** Our runner as a child process (`bq2 sysroot-runner --rootfs ROOTFS`). */
  int runner(String... args) throws Exception {
    List<String> argv = new ArrayList<>(OwnCommand.argv("sysroot-runner"));
    argv.addAll(List.of("--rootfs", rootfs.toString(), "--no-echo"));
    argv.addAll(List.of(args));
    return exec(argv, dir, dir.resolve("runner.log")).exit();
  }

  record Exec(int exit, String out) {}

  /** `bq2 ARGS...` as a child process, stdout+stderr captured. */
  Exec bq2(String... args) throws Exception {
    List<String> argv = new ArrayList<>(OwnCommand.argv(args[0]));
    argv.addAll(List.of(args).subList(1, args.length));
    return exec(argv, dir, dir.resolve("bq2-" + args[0] + ".log"));
  }

  static Exec exec(List<String> argv, Path cwd, Path log) throws Exception {
    Process p = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("hung: " + argv);
    }
    return new Exec(p.exitValue(), Files.readString(log));
  }

  String git(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("git", "-C", repo.toString()));
    argv.addAll(List.of(args));
    Exec e = exec(argv, repo.getParent(), dir.resolve("git.log"));
    assertEquals(0, e.exit(), e.out());
    return e.out();
  }

  int commits() throws Exception {
    return Integer.parseInt(git("rev-list", "--count", "HEAD").strip());
  }

  /** The repo as a person sees it: HEAD, the staged blobs, the status, and every file's bytes. */
  Map<String, String> repoState() throws Exception {
    Map<String, String> m = snapshot(repo);
    m.put("@HEAD", git("rev-parse", "HEAD") + git("symbolic-ref", "HEAD"));
    m.put("@INDEX", git("ls-files", "-s"));
    m.put("@STATUS", git("status", "--porcelain", "--untracked-files=all"));
    return m;
  }

  /** Every file under {@code root} (except .git and the session folder) → its bytes, as text. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        String rel = root.relativize(p).toString();
        if (rel.equals(".git") || rel.startsWith(".git/")) continue;
        if (rel.startsWith("session")) continue;
        m.put(rel + (Files.isDirectory(p) ? "/" : ""), Files.isRegularFile(p)
            ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1) : "");
      }
    }
    return m;
  }
}
