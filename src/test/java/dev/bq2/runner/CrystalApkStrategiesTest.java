package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strategies of the real plans that need Crystal or Alpine (`prefetch-shards`,
 * `crystal-compiler`, `crystal-build`, `crystal`, `apk-add`, `alpine-setup`), run by the real
 * runner with the commands the existing tool runs (src/step_runner.cr). `crystal` and `make` are
 * Debian's real ones: tiny Crystal programs are compiled and installed. `shards` and `apk` are
 * not in Debian: a recording stand-in on the phase PATH records argv, cwd and environment, and
 * the test checks them against what the existing tool would run.
 */
class CrystalApkStrategiesTest {
  @TempDir Path dir;
  TestRootfs fs;
  Path stubs;
  Path crystalCache;

  @BeforeEach
  void setUp() throws Exception {
    fs = new TestRootfs(dir.resolve("rootfs"));
    stubs = dir.resolve("stubs");
    crystalCache = Files.createDirectories(dir.resolve("crystal-cache"));
  }

  // ---- plan helpers ------------------------------------------------------------------------

  static Map<String, Object> step(String name, String strategy, String workdir) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", name);
    s.put("strategy", strategy);
    if (workdir != null) s.put("workdir", workdir);
    s.put("configure_flags", List.of());
    s.put("patches", List.of());
    s.put("env", new LinkedHashMap<String, String>());
    s.put("clean_build", false);
    return s;
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> env(Map<String, Object> step) {
    return (Map<String, String>) step.get("env");
  }

  /** One host phase (prefix /usr, destdir as given) holding the steps; PATH puts the stand-ins first. */
  void plan(String destdir, Map<String, String> phaseEnv, List<Map<String, Object>> steps) throws IOException {
    Map<String, Object> phase = new LinkedHashMap<>();
    phase.put("name", "crystal-phase");
    phase.put("description", "Crystal and apk strategies");
    phase.put("namespace", "host");
    phase.put("install_prefix", "/usr");
    if (destdir != null) phase.put("destdir", destdir);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", stubs + ":" + System.getenv("PATH"));
    env.put("CRYSTAL_CACHE_DIR", crystalCache.toString());
    env.putAll(phaseEnv);
    phase.put("env", env);
    phase.put("steps", steps);
    Files.writeString(fs.layout.plan(), Json.pretty(Map.of("format_version", 2, "phases", List.of(phase))));
  }

  TestRootfs.Result run() {
    return fs.runner("--no-echo", "--jobs", "2");
  }

  String stepLog(String step) throws IOException {
    String slug = "crystal_phase_" + step.replaceAll("[^A-Za-z0-9]+", "_").toLowerCase();
    for (Path p : fs.logs()) {
      if (p.getFileName().toString().contains("-" + slug + "-")) return Files.readString(p);
    }
    throw new AssertionError("no step log for " + step + " in " + fs.logs());
  }

  static String runProgram(Path exe) throws Exception {
    Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  /** A tiny Crystal project: src/<name>.cr printing {@code message}, a bin/ with a hidden file, a shard.yml. */
  Path crystalProject(String dirName, String program, String message) throws IOException {
    Path src = Files.createDirectories(fs.work.resolve(dirName));
    Files.createDirectories(src.resolve("src"));
    Files.writeString(src.resolve("src/" + program + ".cr"), "puts \"" + message + "\"\n");
    Files.createDirectories(src.resolve("bin"));
    Files.writeString(src.resolve("bin/.gitignore"), "*\n"); // hidden: never installed (Dir.glob skips it)
    Files.writeString(src.resolve("shard.yml"), "name: " + program + "\nversion: 0.1.0\ntargets:\n  " + program
        + ":\n    main: src/" + program + ".cr\n");
    return src;
  }

  // ---- crystal-build -----------------------------------------------------------------------

  @Test
  void crystalBuildCompilesWithTheFlagsAndInstallsBinIntoDestdirPrefix() throws Exception {
    Path src = crystalProject("hello-1.0", "hello", "hello from crystal-build");
    StandIn shards = StandIn.create(stubs, "shards", "exit 0");
    Path stage = dir.resolve("stage");
    Map<String, Object> s = step("hello", "crystal-build", src.toString());
    s.put("configure_flags", List.of("-o", "bin/hello", "src/hello.cr"));
    env(s).put("BQ2_FORCE_SHARDS_INSTALL", "no");
    plan(stage.toString(), Map.of(), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    String log = stepLog("hello");
    assertTrue(log.contains("Skipping shards install for hello (prefetched during host setup)"), log);
    assertEquals(List.of(), shards.calls(), "shards install runs only when BQ2_FORCE_SHARDS_INSTALL is truthy");
    Path installed = Path.of(stage + "/usr/bin/hello");
    assertTrue(log.contains("Running in " + src + ": crystal build -o bin/hello src/hello.cr"), log);
    assertTrue(log.contains(": install -d " + stage + "/usr/bin\n"), log);
    assertTrue(log.contains(": install -m 0755 bin/hello " + stage + "/usr/bin/\n"), log);
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(installed)));
    assertEquals("hello from crystal-build\n", runProgram(installed), "the installed program is the compiled one");
    assertFalse(Files.exists(installed.resolveSibling(".gitignore")), "hidden files in bin/ are not installed");
  }

  @Test
  void crystalBuildRunsShardsInstallFirstWhenForcedAndFailsOnACompileError() throws Exception {
    Path src = crystalProject("broken-1.0", "broken", "unused");
    Files.writeString(src.resolve("src/broken.cr"), "puts undefined_thing_here\n");
    StandIn shards = StandIn.create(stubs, "shards", "mkdir -p lib && exit 0");
    Map<String, Object> s = step("broken", "crystal-build", src.toString());
    s.put("configure_flags", List.of("-o", "bin/broken", "src/broken.cr"));
    env(s).put("BQ2_FORCE_SHARDS_INSTALL", " Yes ");
    env(s).put("SHARDS_CACHE_PATH", dir.resolve("shards-cache").toString());
    plan(null, Map.of("PHASE_ONLY", "phase-value"), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(1, r.exit(), r.toString());
    List<StandIn.Call> calls = shards.calls();
    assertEquals(1, calls.size(), calls.toString());
    assertEquals(List.of("install"), calls.get(0).argv());
    assertEquals(src.toString(), calls.get(0).cwd());
    assertEquals(dir.resolve("shards-cache").toString(), calls.get(0).env().get("SHARDS_CACHE_PATH"), "step env");
    assertEquals("phase-value", calls.get(0).env().get("PHASE_ONLY"), "phase env");
    assertEquals(System.getenv("HOME"), calls.get(0).env().get("HOME"), "on top of the process env");
    assertTrue(Files.isDirectory(src.resolve("lib")));
    JsonNode report = fs.newestReport();
    assertEquals("Command failed (1): crystal build -o bin/broken src/broken.cr", report.get("error").asText());
    assertEquals(List.of("crystal", "build", "-o", "bin/broken", "src/broken.cr"),
        Json.MAPPER.convertValue(report.get("command"), List.class));
    assertEquals(1, report.get("exit_code").asInt());
    assertTrue(Files.readString(Path.of(report.get("output_log").asText())).contains("undefined_thing_here"),
        "the compiler's error is in the step log");
  }

  // ---- crystal (shards build) --------------------------------------------------------------

  @Test
  void crystalRunsShardsBuildThenInstallsEveryBinArtifact() throws Exception {
    Path src = crystalProject("bootstrap-qcow2-0.4.1", "bq2", "hello from shards build");
    // What `shards build` does for this shard.yml: compile the target into bin/.
    StandIn shards = StandIn.create(stubs, "shards",
        "[ \"$1\" = build ] || exit 64\nexec crystal build -o bin/bq2 src/bq2.cr");
    Files.writeString(src.resolve("bin/helper.sh"), "#!/bin/sh\necho helper\n");
    Map<String, Object> s = step("bootstrap-qcow2", "crystal", src.toString());
    env(s).put("CRYSTAL_OPTS", "-Dlibressl_version=3.8.2");
    s.put("install_prefix", dir.resolve("prefix").toString());
    plan(null, Map.of(), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    List<StandIn.Call> calls = shards.calls();
    assertEquals(1, calls.size());
    assertEquals(List.of("build"), calls.get(0).argv());
    assertEquals(src.toString(), calls.get(0).cwd());
    assertEquals("-Dlibressl_version=3.8.2", calls.get(0).env().get("CRYSTAL_OPTS"));
    assertEquals(crystalCache.toString(), calls.get(0).env().get("CRYSTAL_CACHE_DIR"));
    Path bin = dir.resolve("prefix/bin");
    assertEquals("hello from shards build\n", runProgram(bin.resolve("bq2")));
    assertEquals("helper\n", runProgram(bin.resolve("helper.sh")), "every bin/* is installed, executable");
    String log = stepLog("bootstrap-qcow2");
    assertTrue(log.indexOf("install -m 0755 bin/bq2 ") < log.indexOf("install -m 0755 bin/helper.sh "), "name order");
  }

  // ---- crystal-compiler --------------------------------------------------------------------

  /** A scaled-down Crystal source tree: its Makefile's `crystal` and `install` targets, a tiny compiler. */
  static final String COMPILER_MAKEFILE = """
      PREFIX ?= /usr/local
      CRYSTAL ?= crystal
      crystal: .build/crystal
      .build/crystal: src/compiler/crystal.cr
      \tmkdir -p .build
      \t$(CRYSTAL) build -o .build/crystal src/compiler/crystal.cr
      install: .build/crystal
      \tmkdir -p "$(DESTDIR)$(PREFIX)/bin"
      \tinstall -m 0755 .build/crystal "$(DESTDIR)$(PREFIX)/bin/crystal"
      \techo "DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)" > installed-with.txt
      """;

  @Test
  void crystalCompilerRemovesDotBuildMakesCrystalAndInstallsWithDestdirInTheEnvironment() throws Exception {
    Path src = Files.createDirectories(fs.work.resolve("crystal-1.19.1"));
    Files.createDirectories(src.resolve("src/compiler"));
    Files.writeString(src.resolve("src/compiler/crystal.cr"), "puts \"stand-in compiler\"\n");
    Files.writeString(src.resolve("Makefile"), COMPILER_MAKEFILE);
    // An earlier attempt's output, newer than the source: make would keep it unless .build goes.
    Path stale = Files.createDirectories(src.resolve(".build")).resolve("crystal");
    Files.writeString(stale, "#!/bin/sh\necho stale\n");
    Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() + 3_600_000));
    Path stage = dir.resolve("stage");
    Map<String, Object> s = step("crystal", "crystal-compiler", src.toString());
    env(s).put("CRYSTAL", "/usr/bin/crystal");
    plan(stage.toString(), Map.of(), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    String log = stepLog("crystal");
    assertTrue(log.contains("Running in " + src + ": make -j2 crystal\n"), log);
    assertTrue(log.contains("Running in " + src + ": make install PREFIX=/usr\n"), log);
    assertEquals("DESTDIR=" + stage + " PREFIX=/usr\n", Files.readString(src.resolve("installed-with.txt")),
        "DESTDIR comes from the environment, the prefix from the command line");
    assertEquals("stand-in compiler\n", runProgram(Path.of(stage + "/usr/bin/crystal")), "rebuilt, not the stale .build");
  }

  @Test
  void crystalCompilerWithoutDestdirInstallsUnderThePrefixAlone() throws Exception {
    Path src = Files.createDirectories(fs.work.resolve("crystal-src"));
    Files.writeString(src.resolve("Makefile"), "crystal:\n\ttouch built\ninstall:\n\techo \"[$(DESTDIR)] $(PREFIX)\" > installed\n");
    Map<String, Object> s = step("crystal", "crystal-compiler", src.toString());
    s.put("install_prefix", "/opt/sysroot");
    plan(null, Map.of(), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    assertTrue(Files.exists(src.resolve("built")));
    assertEquals("[] /opt/sysroot\n", Files.readString(src.resolve("installed")), "no DESTDIR without a destdir");
  }

  @Test
  void crystalCompilerInsideTheSeedGetsTheDestdirAsTheRootfsSeesIt() throws Exception {
    // The host layout: <hw>/seed-rootfs (with make) holding the bq2 rootfs, as the real plans run.
    Path seed = dir.resolve("hw/seed-rootfs");
    RealPlanEndToEndTest.toolsRootfs(seed);
    TestRootfs inner = new TestRootfs(seed.resolve("bq2-rootfs"));
    Files.writeString(inner.root.resolve(".bq2-rootfs"), "bq2-rootfs\n");
    Path src = Files.createDirectories(seed.resolve("src/crystal"));
    Files.writeString(src.resolve("Makefile"), "crystal:\n\tmkdir -p .build && echo compiler > .build/crystal\n"
        + "install:\n\tmkdir -p \"$(DESTDIR)$(PREFIX)/bin\"\n\tcp .build/crystal \"$(DESTDIR)$(PREFIX)/bin/crystal\"\n"
        + "\techo \"DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)\" > installed-with.txt\n");
    Map<String, Object> s = step("crystal", "crystal-compiler", "/src/crystal");
    Map<String, Object> phase = new LinkedHashMap<>();
    phase.put("name", "rootfs-from-sysroot");
    phase.put("description", "seed phase with a destdir");
    phase.put("namespace", "seed");
    phase.put("install_prefix", "/usr");
    phase.put("destdir", "/bq2-rootfs");
    phase.put("env", Map.of("PATH", "/usr/bin:/bin"));
    phase.put("steps", List.of(s));
    Files.writeString(inner.layout.plan(), Json.pretty(Map.of("format_version", 2, "phases", List.of(phase))));

    TestRootfs.Result r = inner.runner("--no-echo", "--jobs", "2");

    assertEquals(0, r.exit(), r.toString());
    assertEquals("DESTDIR=/bq2-rootfs PREFIX=/usr\n", Files.readString(src.resolve("installed-with.txt")),
        "the environment's DESTDIR is the path inside the seed, not the host path");
    assertEquals("compiler\n", Files.readString(inner.root.resolve("usr/bin/crystal")));
  }

  @Test
  void cmakeProjectInsideTheSeedGetsTheDestdirAsTheRootfsSeesIt() throws Exception {
    // cmake itself is not copied into the test seed: a recording stand-in takes its place and
    // writes the DESTDIR it was given at install time.
    Path seed = dir.resolve("hw/seed-rootfs");
    RealPlanEndToEndTest.toolsRootfs(seed);
    Path cmake = Files.createDirectories(seed.resolve("usr/local/bin")).resolve("cmake");
    Files.writeString(cmake, "#!/bin/sh\nif [ \"$1\" = --install ]; then echo \"DESTDIR=$DESTDIR\" > cmake-install.txt; fi\n");
    Files.setPosixFilePermissions(cmake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    TestRootfs inner = new TestRootfs(seed.resolve("bq2-rootfs"));
    Files.writeString(inner.root.resolve(".bq2-rootfs"), "bq2-rootfs\n");
    Path src = Files.createDirectories(seed.resolve("src/tool"));
    Map<String, Object> s = step("tool", "cmake-project", "/src/tool");
    Map<String, Object> phase = new LinkedHashMap<>();
    phase.put("name", "rootfs-from-sysroot");
    phase.put("description", "seed phase with a destdir");
    phase.put("namespace", "seed");
    phase.put("install_prefix", "/usr");
    phase.put("destdir", "/bq2-rootfs");
    phase.put("env", Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"));
    phase.put("steps", List.of(s));
    Files.writeString(inner.layout.plan(), Json.pretty(Map.of("format_version", 2, "phases", List.of(phase))));

    TestRootfs.Result r = inner.runner("--no-echo", "--jobs", "2");

    assertEquals(0, r.exit(), r.toString());
    assertEquals("DESTDIR=/bq2-rootfs\n", Files.readString(src.resolve("cmake-install.txt")),
        "the environment's DESTDIR is the path inside the seed, not the host path");
  }

  // ---- prefetch-shards ---------------------------------------------------------------------

  static Map<String, Object> extract(String name, String buildDirectory) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", name);
    e.put("version", "1");
    e.put("filename", name + ".tar.gz");
    if (buildDirectory != null) e.put("build_directory", buildDirectory);
    return e;
  }

  @Test
  void prefetchShardsRunsShardsInstallInEachBuildDirectoryWithAShardYml() throws Exception {
    Path workspace = Files.createDirectories(dir.resolve("workspace"));
    Files.createDirectories(workspace.resolve("m4-1.4.19"));
    Files.createDirectories(workspace.resolve("shards-0.18.0"));
    Files.writeString(workspace.resolve("shards-0.18.0/shard.yml"), "name: shards\n");
    Files.createDirectories(workspace.resolve("bootstrap-qcow2-0.4.1"));
    Files.writeString(workspace.resolve("bootstrap-qcow2-0.4.1/shard.yml"), "name: bootstrap-qcow2\n");
    Files.createDirectories(workspace.resolve("no-build-dir"));
    Files.writeString(workspace.resolve("no-build-dir/shard.yml"), "name: skipped\n");
    StandIn shards = StandIn.create(stubs, "shards", "mkdir -p lib");
    Map<String, Object> s = step("prefetch-shards", "prefetch-shards", null);
    s.put("destdir", workspace.toString());
    env(s).put("SHARDS_CACHE_PATH", "/tmp/.shards-cache");
    s.put("extract_sources", List.of(extract("m4", "m4-1.4.19"), extract("shards", "shards-0.18.0"),
        extract("no-build-dir", null), extract("bootstrap-qcow2", "bootstrap-qcow2-0.4.1"),
        extract("not-extracted", "missing-1.0")));
    plan(null, Map.of("BQ2_ARCH", "x86_64"), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    List<StandIn.Call> calls = shards.calls();
    assertEquals(List.of(workspace.resolve("shards-0.18.0").toString(), workspace.resolve("bootstrap-qcow2-0.4.1").toString()),
        calls.stream().map(StandIn.Call::cwd).toList(), "plan order; only build directories with a shard.yml");
    for (StandIn.Call c : calls) {
      assertEquals(List.of("install"), c.argv());
      assertEquals("/tmp/.shards-cache", c.env().get("SHARDS_CACHE_PATH"));
      assertEquals("x86_64", c.env().get("BQ2_ARCH"));
    }
    assertTrue(Files.isDirectory(workspace.resolve("shards-0.18.0/lib")));
    assertFalse(Files.exists(workspace.resolve("m4-1.4.19/lib")));
    assertTrue(fs.state().progress().isCompleted("crystal-phase", "prefetch-shards"));
  }

  @Test
  void prefetchShardsWithoutAnyShardYmlIsANoOpEvenWithoutShardsInstalled() throws Exception {
    Path workspace = Files.createDirectories(dir.resolve("workspace"));
    Files.createDirectories(workspace.resolve("m4-1.4.19"));
    // No stand-in: a `shards` call would fail with 127 (not on PATH).
    Map<String, Object> s = step("prefetch-shards", "prefetch-shards", null);
    s.put("destdir", workspace.toString());
    s.put("extract_sources", List.of(extract("m4", "m4-1.4.19"), extract("zlib", "zlib-1.3.1")));
    plan(null, Map.of(), List.of(s));
    Files.createDirectories(stubs);

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    assertTrue(stepLog("prefetch-shards").contains("No shard.yml in any build directory under " + workspace
        + "; nothing to prefetch"));
    assertTrue(fs.state().progress().isCompleted("crystal-phase", "prefetch-shards"));
  }

  @Test
  void prefetchShardsFailureIsACommandFailureInTheWorkdirRelativeDestdir() throws Exception {
    Path ws = Files.createDirectories(fs.work.resolve("ws/crystal-1.19.1"));
    Files.writeString(ws.resolve("shard.yml"), "name: crystal\n");
    StandIn shards = StandIn.create(stubs, "shards", "echo 'Failed to resolve dependencies' >&2; exit 3");
    Map<String, Object> s = step("prefetch-shards", "prefetch-shards", fs.work.toString());
    s.put("destdir", "ws"); // relative: against the workdir, as after the old tool's chdir
    s.put("extract_sources", List.of(extract("crystal", "crystal-1.19.1")));
    plan(null, Map.of(), List.of(s));

    TestRootfs.Result r = run();

    assertEquals(1, r.exit(), r.toString());
    assertEquals(ws.toString(), shards.calls().get(0).cwd());
    JsonNode report = fs.newestReport();
    assertEquals("Command failed (3): shards install", report.get("error").asText());
    assertEquals(3, report.get("exit_code").asInt());
    assertTrue(Files.readString(Path.of(report.get("output_log").asText())).contains("Failed to resolve dependencies"));
  }

  @Test
  void prefetchShardsWithoutExtractSourcesFails() throws Exception {
    plan(null, Map.of(), List.of(step("prefetch-shards", "prefetch-shards", null)));

    TestRootfs.Result r = run();

    assertEquals(1, r.exit(), r.toString());
    assertEquals("prefetch-shards requires extract_sources in step prefetch-shards",
        fs.newestReport().get("error").asText());
  }

  // ---- apk-add / alpine-setup --------------------------------------------------------------

  static final List<String> ALPINE_PACKAGES = List.of("bash", "binutils", "clang", "libgcc", "libstdc++-dev",
      "libressl-dev", "crystal", "lld", "llvm-libs", "linux-headers", "make", "musl-dev", "patch", "zlib-dev",
      "pcre2-dev", "gc-dev", "yaml-dev", "perl", "python3", "shards");

  @Test
  void apkAddInstallsTheStepPackagesWithThePhaseEnvButNotTheStepEnv() throws Exception {
    StandIn apk = StandIn.create(stubs, "apk", "exit 0");
    Path wd = Files.createDirectories(fs.work.resolve("apk-wd"));
    Map<String, Object> s = step("alpine-apk-add", "apk-add", wd.toString());
    s.put("packages", List.of("bash", "crystal", "shards"));
    env(s).put("STEP_ONLY", "step-value");
    Map<String, Object> setup = step("alpine-setup", "alpine-setup", null);
    plan(null, Map.of("CC", "/usr/bin/clang"), List.of(s, setup));

    TestRootfs.Result r = run();

    assertEquals(0, r.exit(), r.toString());
    List<StandIn.Call> calls = apk.calls();
    assertEquals(2, calls.size(), calls.toString());
    assertEquals(List.of("add", "--no-cache", "bash", "crystal", "shards"), calls.get(0).argv());
    assertEquals(wd.toString(), calls.get(0).cwd());
    assertEquals("/usr/bin/clang", calls.get(0).env().get("CC"), "the phase env is in the process env");
    assertNull(calls.get(0).env().get("STEP_ONLY"), "apk gets no step env, as in the existing tool");
    assertEquals(System.getenv("HOME"), calls.get(0).env().get("HOME"));
    List<String> fixed = new ArrayList<>(List.of("add", "--no-cache"));
    fixed.addAll(ALPINE_PACKAGES);
    assertEquals(fixed, calls.get(1).argv(), "alpine-setup: the existing tool's fixed list");
    assertTrue(stepLog("alpine-apk-add").contains("stand-in apk add --no-cache bash crystal shards"),
        "apk's output is kept in the step log");
  }

  @Test
  void apkAddFailureIsPlainErrorWithoutCommandAndEmptyListIsANoOp() throws Exception {
    StandIn apk = StandIn.create(stubs, "apk", "echo 'ERROR: unable to select packages' >&2; exit 5");
    Map<String, Object> empty = step("nothing", "apk-add", null);
    empty.put("packages", List.of());
    Map<String, Object> s = step("alpine-apk-add", "apk-add", null);
    s.put("packages", List.of("no-such-package"));
    plan(null, Map.of(), List.of(empty, s));

    TestRootfs.Result r = run();

    assertEquals(1, r.exit(), r.toString());
    assertEquals(1, apk.calls().size(), "an empty package list runs nothing");
    assertEquals(List.of("add", "--no-cache", "no-such-package"), apk.calls().get(0).argv());
    assertTrue(fs.state().progress().isCompleted("crystal-phase", "nothing"));
    JsonNode report = fs.newestReport();
    assertEquals("apk add failed (5)", report.get("error").asText());
    assertTrue(report.get("command").isNull(), "as the existing tool: not a command failure");
    assertTrue(report.get("exit_code").isNull());
    assertTrue(Files.readString(Path.of(report.get("output_log").asText())).contains("unable to select packages"));
  }

  @Test
  void apkAddWithoutPackagesFails() throws Exception {
    plan(null, Map.of(), List.of(step("alpine-apk-add", "apk-add", null)));

    TestRootfs.Result r = run();

    assertEquals(1, r.exit(), r.toString());
    assertEquals("apk-add requires step.packages", fs.newestReport().get("error").asText());
  }
}
