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
 * populate-seed, extract-sources, prefetch-shards) and its `tools-from-system` build phase (git
 * and sqlite with autotools, fossil with makefile-classic and the plan's patch, inside the bq2
 * rootfs). The plan keeps its phases, steps, strategies, file names, flags and env; only its
 * workspace prefix is moved to a temp folder and every URL points at a local HTTP server on
 * 127.0.0.1 (same path, GitHub URLs answered with a redirect as GitHub does), which serves tiny
 * stand-in tarballs the test builds: each extracts to the plan's build directory; the Crystal
 * projects (the workdirs of the plan's crystal steps) carry a shard.yml; bootstrap-qcow2 carries
 * the patches the build phase names; the packages of the build phase carry a stand-in
 * `configure`/Makefile. `shards` is a recording stand-in on PATH. The bq2 rootfs holds what the
 * earlier phases would have built (busybox, and make and patch with their libraries).
 */
class RealPlanEndToEndTest {
  static final String UPSTREAM_WORKSPACE = "/srv/bq2/bq2seed";
  static final String BUILD_PHASE = "tools-from-system";

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

  /**
   * A rootfs holding what the phases before the build phase would have built: busybox (static,
   * with its applets) and GNU make and patch with the shared libraries they load.
   */
  static void bq2Rootfs(Path root) throws Exception {
    Path busybox = Path.of("/bin/busybox");
    assertTrue(Files.isExecutable(busybox), "/bin/busybox is missing: install busybox-static (listed in .ci/run)");
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.copy(busybox, bin.resolve("busybox"));
    Process list = new ProcessBuilder(busybox.toString(), "--list").start();
    for (String a : new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (!a.isBlank() && !a.equals("busybox")) Files.createSymbolicLink(bin.resolve(a.strip()), Path.of("busybox"));
    }
    assertEquals(0, list.waitFor());
    for (String tool : List.of("make", "patch")) {
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
    bq2Rootfs(rootfs);

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
    Map<String, JsonNode> buildSteps = new LinkedHashMap<>();
    Map<String, List<String>> patchesByTree = new LinkedHashMap<>();
    for (JsonNode s : buildPhase.get("steps")) {
      buildSteps.put(Path.of(s.get("workdir").asText()).getFileName().toString(), s);
      for (JsonNode p : s.get("patches")) {
        String rel = p.asText().substring("/workspace/".length());
        patchesByTree.computeIfAbsent(rel.substring(0, rel.indexOf('/')), k -> new ArrayList<>()).add(rel);
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
        // The seed rootfs (populate-seed): extracted into <hw>/seed-rootfs, with the sysroot bq2 phases bind.
        write(content.resolve("etc/os-release"), "NAME=\"stand-in seed for " + src.get("version").asText() + "\"\n", false);
        write(content.resolve("opt/sysroot/README"), "stand-in sysroot\n", false);
      } else {
        Path tree = content.resolve(buildDir);
        write(tree.resolve("README.stand-in"), "stand-in for " + name + " " + src.get("version").asText() + "\n", false);
        if (crystalDirs.contains(buildDir)) write(tree.resolve("shard.yml"), "name: " + name + "\nversion: 0.0.0\n", false);
        for (String patch : patchesByTree.getOrDefault(buildDir, List.of())) {
          write(content.resolve(patch), makefileBq2Patch("fossil"), false);
        }
        JsonNode built = buildSteps.get(buildDir);
        if (built != null && built.get("strategy").asText().equals("autotools")) {
          autotoolsStandIn(tree, built.get("name").asText());
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

    // 3. status: the next step of the real plan is the first build step of sysroot-from-seed.
    Run st = runner(hw, shards, rootfs, "--status");
    assertEquals(0, st.exit(), st.toString());
    assertTrue(st.out().contains("next_phase=sysroot-from-seed\nnext_step=seed-resolv-conf\n"), st.out());
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
