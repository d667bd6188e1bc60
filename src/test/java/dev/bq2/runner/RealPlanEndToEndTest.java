package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.state.BuildState;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real x86_64 plan written by the existing tool (src/test/resources/upstream/plan-x86_64.json)
 * run by our runner, a real child JVM: its `host-setup` phase (download-sources,
 * populate-seed, extract-sources, prefetch-shards), its `tools-from-system` build phase (git
 * and sqlite with autotools, fossil with makefile-classic and the plan's patch, inside the bq2
 * rootfs), and the Crystal steps of `sysroot-from-seed` (crystal-compiler, crystal-build, with
 * their patches, inside the seed populated by host-setup). The plan keeps its phases, steps, strategies, file names, flags and env; only its
 * workspace prefix is moved to a temp folder and every URL points at a local HTTP server on
 * 127.0.0.1 (same path, GitHub URLs answered with a redirect as GitHub does), which serves tiny
 * stand-in tarballs the test builds: each extracts to the plan's build directory; the Crystal
 * projects (the workdirs of the plan's crystal steps) carry a shard.yml; bootstrap-qcow2 carries
 * the patches the build phase names; the packages of the build phase carry a stand-in
 * `configure`/Makefile, the crystal tree a Makefile with the targets crystal-compiler uses; the
 * seed tarball ships busybox, make, patch and a stand-in Crystal compiler (a shell script).
 * `shards` is a recording stand-in on PATH. The bq2 rootfs holds what the earlier phases would
 * have built (busybox, and make and patch with their libraries).
 */
class RealPlanEndToEndTest {
  static final String UPSTREAM_WORKSPACE = "/srv/bq2/bq2seed";
  static final String BUILD_PHASE = "tools-from-system";
  static final String SEED_PHASE = "sysroot-from-seed";
  static final List<String> SEED_STEPS = List.of("seed-resolv-conf", "crystal", "shards");

  /**
   * A stand-in Crystal compiler (shell): `crystal build ... -o OUT SRC` writes OUT as a copy of
   * itself and records the call in `crystal-calls.txt` of the folder it ran in.
   */
  static final String CRYSTAL_STAND_IN = """
      #!/bin/sh
      echo "$0 $*" >> crystal-calls.txt
      [ "$1" = build ] || exit 2
      out=
      while [ $# -gt 0 ]; do
        if [ "$1" = -o ]; then out=$2; shift; fi
        shift
      done
      [ -n "$out" ] || exit 2
      cp "$0" "$out" && chmod 755 "$out"
      """;

  /** The stand-in crystal source tree's Makefile: the `crystal` and `install` targets the strategy uses. */
  static final String COMPILER_MAKEFILE = """
      PREFIX ?= /usr/local
      crystal: .build/crystal
      .build/crystal: src/compiler/crystal.cr
      \tmkdir -p .build
      \t$(CRYSTAL) build -o .build/crystal src/compiler/crystal.cr
      install: .build/crystal
      \tmkdir -p $(DESTDIR)$(PREFIX)/bin
      \tcp .build/crystal $(DESTDIR)$(PREFIX)/bin/crystal
      """;

  @TempDir Path tmp;
  HttpServer server;
  final Map<String, byte[]> served = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      requests.add(exchange.getRequestMethod() + " " + path);
      try (exchange) {
        if (path.startsWith("/github.com/")) {
          // GitHub answers archive and release URLs with a redirect to its download host.
          exchange.getResponseHeaders().add("Location", "/codeload" + path);
          exchange.sendResponseHeaders(302, -1);
          return;
        }
        byte[] body = served.get(path);
        if (body == null) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  // ---- the stand-in world ------------------------------------------------------------------

  static String text(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  static void write(Path file, String body, boolean executable) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, body);
    if (executable) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static void run(Path cwd, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", argv) + "\n" + out);
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * A stand-in autotools package: `configure` records its arguments and CC, and writes a
   * Makefile from Makefile.in whose `install` puts a tiny program `<program>` into
   * $(DESTDIR)<prefix>/bin.
   */
  static void autotoolsStandIn(Path src, String program) throws IOException {
    write(src.resolve("configure"), """
        #!/bin/sh
        prefix=/usr/local
        for a in "$@"; do case $a in --prefix=*) prefix=${a#--prefix=} ;; esac; done
        { echo "args=$*"; echo "CC=$CC"; echo "pwd=$(pwd)"; } > configure.args
        sed "s|@prefix@|$prefix|" Makefile.in > Makefile
        """, true);
    write(src.resolve("Makefile.in"), ("all: PROG\n"
        + "PROG:\n\tprintf '#!/bin/sh\\necho PROG stand-in built by make\\n' > PROG\n\tchmod 755 PROG\n"
        + "install: all\n\tmkdir -p $(DESTDIR)@prefix@/bin\n\tcp PROG $(DESTDIR)@prefix@/bin/PROG\n")
        .replace("PROG", program), false);
  }

  /** A patch in the form the plan's makefile-bq2.patch has: it creates the Makefile.bq2 fossil builds with. */
  static String makefileBq2Patch(String program) {
    String[] lines = {
        "all: " + program,
        program + ":",
        "\tprintf '#!/bin/sh\\necho " + program + " stand-in built by Makefile.bq2\\n' > " + program,
        "\tchmod 755 " + program,
        "install: all",
        "\tmkdir -p $(DESTDIR)/usr/bin",
        "\tcp " + program + " $(DESTDIR)/usr/bin/" + program,
    };
    StringBuilder sb = new StringBuilder("--- /dev/null\n+++ b/Makefile.bq2\n@@ -0,0 +1," + lines.length + " @@\n");
    for (String l : lines) sb.append('+').append(l).append('\n');
    return sb.toString();
  }

  /** A patch creating `patched-by-<name>` (the crystal tree's patches). */
  static String markerPatch(String name) {
    return "--- /dev/null\n+++ b/patched-by-" + name + "\n@@ -0,0 +1 @@\n+" + name + "\n";
  }

  /**
   * A rootfs with the tools the phases run: busybox (static, with its applets) and GNU make,
   * patch and install (Debian's busybox has no `install`) with the shared libraries they load (for the bq2 rootfs, what the phases before the
   * build phase would have built; for the seed, what the seed tarball ships).
   */
  static void toolsRootfs(Path root) throws Exception {
    Path busybox = Path.of("/bin/busybox");
    assertTrue(Files.isExecutable(busybox), "/bin/busybox is missing: install busybox-static (listed in .ci/run)");
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.copy(busybox, bin.resolve("busybox"));
    Process list = new ProcessBuilder(busybox.toString(), "--list").start();
    for (String a : new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (!a.isBlank() && !a.equals("busybox")) Files.createSymbolicLink(bin.resolve(a.strip()), Path.of("busybox"));
    }
    assertEquals(0, list.waitFor());
    for (String tool : List.of("make", "patch", "install")) {
      Path exe = Path.of("/usr/bin", tool).toRealPath();
      copyInto(root, exe, Path.of("/usr/bin", tool));
      Process ldd = new ProcessBuilder("ldd", exe.toString()).redirectErrorStream(true).start();
      String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, ldd.waitFor(), out);
      Matcher m = Pattern.compile("(?m)^\\s*(?:\\S+ => )?(/\\S+) \\(0x").matcher(out);
      while (m.find()) copyInto(root, Path.of(m.group(1)).toRealPath(), Path.of(m.group(1)));
    }
  }

  static void copyInto(Path root, Path real, Path as) throws IOException {
    Path target = root.resolve(as.toString().substring(1));
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
    Files.createDirectories(target.getParent());
    Files.copy(real, target);
  }

  // ---- the test ----------------------------------------------------------------------------

  record Download(String name, String filename, String localPath) {}

  @Test
  @Timeout(600)
  void hostSetupAndABuildPhaseOfTheRealPlanRunWithEveryDownloadFromALocalServer() throws Exception {
    startServer();
    Path hw = tmp.resolve("hw");
    Path rootfs = hw.resolve("seed-rootfs/bq2-rootfs");
    Files.createDirectories(rootfs.resolve("var/lib"));
    Files.writeString(rootfs.resolve(".bq2-rootfs"), "bq2-rootfs\n");
    toolsRootfs(rootfs);

    // The real plan, its workspace moved here and its URLs pointed at the local server.
    String planText = text(Path.of(getClass().getResource("/upstream/plan-x86_64.json").toURI()));
    ObjectNode plan = (ObjectNode) Json.MAPPER.readTree(planText.replace(UPSTREAM_WORKSPACE, hw.toString()));
    JsonNode hostSetup = phase(plan, "host-setup");
    JsonNode buildPhase = phase(plan, BUILD_PHASE);
    JsonNode downloadStep = step(hostSetup, "download-sources");
    JsonNode extractStep = step(hostSetup, "extract-sources");
    assertEquals(List.of("download-sources", "populate-seed", "extract-sources", "prefetch-shards"),
        names(hostSetup.get("steps")), "the real host-setup phase");

    Map<String, String> buildDirOf = new LinkedHashMap<>();
    for (JsonNode e : extractStep.get("extract_sources")) buildDirOf.put(e.get("filename").asText(), e.path("build_directory").asText(null));
    // The plan's Crystal projects: the workdirs of its crystal strategies.
    Set<String> crystalDirs = new TreeSet<>();
    for (JsonNode ph : plan.get("phases")) {
      for (JsonNode s : ph.get("steps")) {
        if (s.get("strategy").asText().startsWith("crystal")) crystalDirs.add(Path.of(s.get("workdir").asText()).getFileName().toString());
      }
    }
    assertEquals(Set.of("crystal-1.19.1", "shards-0.18.0", "bootstrap-qcow2-0.4.1"), crystalDirs);
    // The build phase's packages by workdir, and the patches it names (they live in the bootstrap-qcow2 tree).
    // The Crystal steps of the seed phase run too (their patches, flags and env, inside the seed).
    JsonNode seedPhase = phase(plan, SEED_PHASE);
    List<JsonNode> stepsRun = new ArrayList<>();
    buildPhase.get("steps").forEach(stepsRun::add);
    for (String name : SEED_STEPS) stepsRun.add(step(seedPhase, name));
    Map<String, JsonNode> buildSteps = new LinkedHashMap<>();
    Map<String, Map<String, JsonNode>> patchesByTree = new LinkedHashMap<>();
    for (JsonNode s : stepsRun) {
      if (!s.hasNonNull("workdir")) continue;
      buildSteps.put(Path.of(s.get("workdir").asText()).getFileName().toString(), s);
      for (JsonNode p : s.get("patches")) {
        String rel = p.asText().substring(p.asText().indexOf("/workspace/") + "/workspace/".length());
        patchesByTree.computeIfAbsent(rel.substring(0, rel.indexOf('/')), k -> new LinkedHashMap<>()).put(rel, s);
      }
    }

    // Stand-in tarballs, served at the path of the original URL.
    Path stage = Files.createDirectories(tmp.resolve("stand-ins"));
    List<Download> downloads = new ArrayList<>();
    for (JsonNode src : downloadStep.get("sources")) {
      String name = src.get("name").asText();
      String filename = src.get("filename").asText();
      String buildDir = buildDirOf.get(filename);
      Path content = Files.createDirectories(stage.resolve(name));
      if (buildDir == null) {
        // The seed rootfs (populate-seed): extracted into <hw>/seed-rootfs, with the sysroot bq2
        // phases bind; its tools (busybox, make, patch) and a stand-in Crystal compiler run the seed phase.
        write(content.resolve("etc/os-release"), "NAME=\"stand-in seed for " + src.get("version").asText() + "\"\n", false);
        write(content.resolve("opt/sysroot/README"), "stand-in sysroot\n", false);
        toolsRootfs(content);
        write(content.resolve("usr/bin/crystal"), CRYSTAL_STAND_IN, true);
      } else {
        Path tree = content.resolve(buildDir);
        write(tree.resolve("README.stand-in"), "stand-in for " + name + " " + src.get("version").asText() + "\n", false);
        if (crystalDirs.contains(buildDir)) {
          write(tree.resolve("shard.yml"), "name: " + name + "\nversion: 0.0.0\n", false);
          write(tree.resolve("bin/.gitignore"), "*\n", false);
        }
        for (Map.Entry<String, JsonNode> patch : patchesByTree.getOrDefault(buildDir, Map.of()).entrySet()) {
          // makefile-classic builds with the Makefile.bq2 its patch creates; other patches leave a marker.
          String strategy = patch.getValue().get("strategy").asText();
          write(content.resolve(patch.getKey()), strategy.equals("makefile-classic")
              ? makefileBq2Patch(patch.getValue().get("name").asText())
              : markerPatch(Path.of(patch.getKey()).getFileName().toString()), false);
        }
        JsonNode built = buildSteps.get(buildDir);
        if (built != null && built.get("strategy").asText().equals("autotools")) {
          autotoolsStandIn(tree, built.get("name").asText());
        }
        if (built != null && built.get("strategy").asText().equals("crystal-compiler")) {
          write(tree.resolve("src/compiler/crystal.cr"), "# stand-in\n", false);
          write(tree.resolve("Makefile"), COMPILER_MAKEFILE, false);
        }
        if (built != null && built.get("strategy").asText().equals("crystal-build")) {
          write(tree.resolve("src/" + name + ".cr"), "# stand-in\n", false);
        }
      }
      Path tarball = stage.resolve(filename);
      run(content, "tar", "-czf", tarball.toString(), ".");
      URI original = URI.create(src.get("url").asText());
      String localPath = "/" + original.getHost() + original.getPath();
      served.put(localPath.startsWith("/github.com/") ? "/codeload" + localPath : localPath, Files.readAllBytes(tarball));
      ((ObjectNode) src).put("url", base() + localPath);
      if (src.has("sha256")) ((ObjectNode) src).put("sha256", sha256(Files.readAllBytes(tarball)));
      downloads.add(new Download(name, filename, localPath));
    }
    assertEquals(24, downloads.size(), "every source of the real plan");
    Files.writeString(rootfs.resolve("var/lib/sysroot-build-plan.json"), Json.pretty(plan));

    StandIn shards = StandIn.create(tmp.resolve("stubs"), "shards", "mkdir -p lib && touch shard.lock");
    Path sources = Path.of(downloadStep.get("destdir").asText());
    Path workspace = Path.of(extractStep.get("destdir").asText());
    assertEquals(rootfs.resolve("workspace"), workspace, "the plan extracts into the bq2 rootfs's /workspace");

    // 1. host-setup: every download from the local server, seed populated, sources extracted, shards prefetched.
    Run r1 = runner(hw, shards, rootfs, "--phase", "host-setup");
    assertEquals(0, r1.exit(), r1.toString());
    Set<String> fetched = new LinkedHashSet<>();
    for (String req : requests) fetched.add(req.substring(req.indexOf(' ') + 1));
    for (Download d : downloads) {
      assertTrue(fetched.contains(d.localPath()), d.localPath() + " was requested: " + requests);
      assertArrayEquals(served.get(d.localPath().startsWith("/github.com/") ? "/codeload" + d.localPath() : d.localPath()),
          Files.readAllBytes(sources.resolve(d.filename())), d.filename() + " is the served file");
    }
    assertEquals(downloads.size() + downloads.stream().filter(d -> d.localPath().startsWith("/github.com/")).count(),
        requests.size(), "each file once (GitHub's through one redirect): " + requests);
    assertEquals("stand-in sysroot\n", text(hw.resolve("seed-rootfs/opt/sysroot/README")), "populate-seed");
    for (Map.Entry<String, String> e : buildDirOf.entrySet()) {
      assertTrue(Files.isRegularFile(workspace.resolve(e.getValue()).resolve("README.stand-in")), e.getKey() + " extracted");
    }
    List<StandIn.Call> prefetches = shards.calls();
    assertEquals(crystalDirs.stream().map(d -> workspace.resolve(d).toString()).collect(java.util.stream.Collectors.toSet()),
        Set.copyOf(prefetches.stream().map(StandIn.Call::cwd).toList()), "shards install in each Crystal project");
    assertEquals(3, prefetches.size());
    for (StandIn.Call c : prefetches) {
      assertEquals(List.of("install"), c.argv());
      assertEquals("/tmp/.shards-cache", c.env().get("SHARDS_CACHE_PATH"), "the step's env");
      assertEquals("x86_64", c.env().get("BQ2_ARCH"), "the phase's env");
    }
    assertEquals(names(hostSetup.get("steps")), completed(rootfs, "host-setup"));

    // Again: nothing to do, nothing fetched.
    int before = requests.size();
    Run r2 = runner(hw, shards, rootfs, "--phase", "host-setup");
    assertEquals(0, r2.exit(), r2.toString());
    assertEquals(before, requests.size(), "a completed phase fetches nothing");

    // 2. the build phase, inside the bq2 rootfs: the plan's flags, env and patch.
    Run r3 = runner(hw, shards, rootfs, "--phase", BUILD_PHASE);
    assertEquals(0, r3.exit(), r3.toString());
    for (JsonNode s : buildPhase.get("steps")) {
      String name = s.get("name").asText();
      Path installed = rootfs.resolve("usr/bin/" + name);
      assertTrue(Files.isExecutable(installed), name + " installed into the bq2 rootfs's /usr/bin");
      assertTrue(text(installed).contains(name + " stand-in built by "), name + " is the stand-in the phase built");
    }
    String sqliteArgs = text(workspace.resolve("sqlite-autoconf-3460000/configure.args"));
    assertEquals("args=--prefix=/usr --enable-shared --disable-static\n"
        + "CC=clang --rtlib=compiler-rt --unwindlib=libunwind -fuse-ld=lld\n"
        + "pwd=/workspace/sqlite-autoconf-3460000\n", sqliteArgs, "the plan's flags and phase env, run inside the rootfs");
    assertTrue(text(workspace.resolve("git-2.45.2/configure.args")).startsWith("args=--prefix=/usr\n"));
    assertTrue(Files.isRegularFile(workspace.resolve("fossil-src-2.25/Makefile.bq2")), "the plan's patch created Makefile.bq2");
    assertTrue(text(rootfs.resolve("usr/bin/fossil")).contains("fossil stand-in built by Makefile.bq2"));
    assertEquals(names(buildPhase.get("steps")), completed(rootfs, BUILD_PHASE));
    assertTrue(r3.out().contains("Running in /workspace/fossil-src-2.25 (bq2 rootfs " + rootfs + "): make -f Makefile.bq2 -j2"),
        r3.out());

    // 3. the seed phase's Crystal steps, inside the seed: crystal-compiler installs the compiler
    // into /opt/sysroot (the plan's prefix), crystal-build compiles shards with it (PATH order).
    List<String> seedArgs = new ArrayList<>(List.of("--phase", SEED_PHASE));
    for (String name : SEED_STEPS) seedArgs.addAll(List.of("--package", name));
    Run r4 = runner(hw, shards, rootfs, seedArgs.toArray(String[]::new));
    assertEquals(0, r4.exit(), r4.toString());
    Path seed = hw.resolve("seed-rootfs");
    assertEquals(step(seedPhase, "seed-resolv-conf").get("content").asText(), text(seed.resolve("etc/resolv.conf")));
    Path crystalTree = workspace.resolve("crystal-1.19.1");
    for (JsonNode p : step(seedPhase, "crystal").get("patches")) {
      assertTrue(Files.exists(crystalTree.resolve("patched-by-" + Path.of(p.asText()).getFileName())), p + " applied");
    }
    assertEquals("/usr/bin/crystal build -o .build/crystal src/compiler/crystal.cr\n",
        text(crystalTree.resolve("crystal-calls.txt")), "make crystal with the plan's CRYSTAL");
    assertTrue(Files.isExecutable(seed.resolve("opt/sysroot/bin/crystal")), "make install PREFIX=/opt/sysroot");
    assertEquals("/opt/sysroot/bin/crystal build -o bin/shards src/shards.cr\n",
        text(workspace.resolve("shards-0.18.0/crystal-calls.txt")), "the plan's flags, the compiler just installed");
    assertTrue(Files.isExecutable(seed.resolve("opt/sysroot/bin/shards")), "bin/* installed under the prefix");
    assertFalse(Files.exists(seed.resolve("opt/sysroot/bin/.gitignore")));
    assertTrue(stepLogs(rootfs, "sysroot_from_seed_shards").contains("Skipping shards install for shards (prefetched during host setup)"));
    assertEquals(3, shards.calls().size(), "no shards run inside the seed");
    assertEquals(SEED_STEPS, completed(rootfs, SEED_PHASE));

    // 4. status: the next step of the real plan is the seed phase's first package.
    Run st = runner(hw, shards, rootfs, "--status");
    assertEquals(0, st.exit(), st.toString());
    assertTrue(st.out().contains("next_phase=sysroot-from-seed\nnext_step=m4\n"), st.out());
  }

  static JsonNode phase(JsonNode plan, String name) {
    for (JsonNode p : plan.get("phases")) if (p.get("name").asText().equals(name)) return p;
    throw new AssertionError("no phase " + name);
  }

  static JsonNode step(JsonNode phase, String name) {
    for (JsonNode s : phase.get("steps")) if (s.get("name").asText().equals(name)) return s;
    throw new AssertionError("no step " + name);
  }

  static List<String> names(JsonNode steps) {
    List<String> out = new ArrayList<>();
    steps.forEach(s -> out.add(s.get("name").asText()));
    return out;
  }

  static String stepLogs(Path rootfs, String slug) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (var logs = Files.list(rootfs.resolve("var/lib/sysroot-build-logs"))) {
      for (Path p : logs.sorted().toList()) if (p.getFileName().toString().contains("-" + slug + "-")) sb.append(text(p));
    }
    return sb.toString();
  }

  static List<String> completed(Path rootfs, String phase) {
    BuildState s = Json.read(rootfs.resolve("var/lib/sysroot-build-state.json"), BuildState.class, "test");
    return s.progress().completedSteps().get(phase);
  }

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit=" + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  /** `bq2 sysroot-runner --rootfs ROOTFS ARGS` (or `sysroot-status` for `--status`) as a child JVM with the stand-ins on PATH. */
  Run runner(Path cwd, StandIn stub, Path rootfs, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
    boolean status = args.length == 1 && args[0].equals("--status");
    cmd.addAll(List.of(status ? "sysroot-status" : "sysroot-runner", "--rootfs", rootfs.toString()));
    if (!status) cmd.addAll(List.of("--no-echo", "--jobs", "2"));
    if (!status) cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "run", ".out");
    Path err = Files.createTempFile(tmp, "run", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("PATH", stub.path());
    Process p = pb.start();
    if (!p.waitFor(Duration.ofMinutes(8).toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("runner did not finish\n" + text(out) + text(err));
    }
    return new Run(p.exitValue(), text(out), text(err));
  }
}
