package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JVM-free `sysroot-status` (bin/bq2 printing var/lib/sysroot-build-status.txt).
 * The real `bin/bq2` is copied into a temp project whose `java` (BQ2_JAVA) is a stand-in that runs
 * the real JVM on the test class path. A run with BQ2_JAVA naming a file that does not exist can
 * only succeed through the fast path (else: exit 127, "not found"), so that is the proof that no
 * JVM started; every change of plan, overrides, state, jar or invocation must give 127 there, and
 * the Java run after it the right answer, which the fast path then repeats byte for byte.
 */
class StatusFastPathTest {
  @TempDir Path tmp;
  Path dir;
  Path proj;
  Path javaStandIn;
  Path rootfs;
  Path lib;
  Path config;

  static final String JAVA_STAND_IN = """
      #!/bin/bash
      # Runs the real JVM on the test class path in place of `-jar target/bq2.jar`, keeping the
      # launcher's -D and JVM options.
      opts=()
      while [ $# -gt 0 ]; do
        case $1 in
          -D*|-XX:TieredStopAtLevel=1|-XX:+UseSerialGC) opts+=("$1"); shift ;;
          -jar) shift 2; break ;;
          *) shift ;;
        esac
      done
      exec "$BQ2_TEST_JAVA" "${opts[@]}" -cp "$BQ2_TEST_CP" dev.bq2.cli.Bq2 "$@"
      """;

  record Result(int exit, String out, String err) {}

  /** A java that does not exist: a run under it succeeds only without a JVM. */
  static final Map<String, String> NO_JVM = Map.of("BQ2_JAVA", "/nonexistent/java");

  @BeforeEach
  void project() throws IOException {
    dir = tmp.toRealPath();
    proj = dir.resolve("proj");
    Files.createDirectories(proj.resolve("bin"));
    Files.createDirectories(proj.resolve("target"));
    Files.copy(Path.of("bin/bq2").toAbsolutePath(), proj.resolve("bin/bq2"));
    executable(proj.resolve("bin/bq2"));
    Files.writeString(proj.resolve("target/bq2.jar"), "stands in for the packaged jar\n");
    javaStandIn = dir.resolve("java");
    Files.writeString(javaStandIn, JAVA_STAND_IN);
    executable(javaStandIn);
    // The user's config file where bq2 looks for it ($XDG_CONFIG_HOME/bq2/), absent unless a test writes it.
    config = Files.createDirectories(dir.resolve("xdg/bq2")).resolve("bq2.properties");
    rootfs = dir.resolve("rootfs");
    lib = rootfs.resolve("var/lib");
    Files.createDirectories(lib);
    Files.writeString(lib.resolve("sysroot-build-plan.json"), plan("s1", "s2"));
  }

  /** One phase `p` of shell steps that succeed. */
  private String plan(String... steps) {
    List<String> s = new ArrayList<>();
    for (String name : steps) {
      s.add("""
          {"name": "%s", "strategy": "shell", "workdir": "%s", "configure_flags": [], "patches": [],
           "env": {}, "clean_build": false, "content": "true"}""".formatted(name, dir));
    }
    return """
        {"format_version": 2, "phases": [{"name": "p", "description": "d", "namespace": "host",
          "install_prefix": "/", "env": {}, "steps": [%s]}]}
        """.formatted(String.join(",\n", s));
  }

  @Test
  @Timeout(300)
  void usedOnlyWhileNothingChangedAndAlwaysPrintsWhatJavaPrints() throws Exception {
    assertNotFast(status(), "no cache yet");
    String first = javaStatus("next_step=s1\n");
    assertTrue(Files.isRegularFile(lib.resolve("sysroot-build-status.txt")), "the Java status wrote the cache");
    assertEquals(first, fast(status()), "fast path: byte-identical to the Java run");
    assertEquals(first, fast(status()), "and again (the fast path writes nothing that would spoil it)");

    // The plan: same size, same mtime, only the content (and so ctime and cksum) differ.
    Path plan = lib.resolve("sysroot-build-plan.json");
    FileTime mtime = Files.getLastModifiedTime(plan);
    long size = Files.size(plan);
    Files.writeString(plan, plan("t1", "s2"));
    Files.setLastModifiedTime(plan, mtime);
    assertEquals(size, Files.size(plan));
    assertNotFast(status(), "plan rewritten in place, same size, same mtime");
    String renamed = javaStatus("next_step=t1\n");
    assertEquals(renamed, fast(status()));

    // Overrides: created, edited, removed.
    Path overrides = lib.resolve("sysroot-build-overrides.json");
    Files.writeString(overrides, "{\"phases\": {\"p\": {\"steps\": {\"t1\": {\"env\": {\"A\": \"1\"}}}}}}\n");
    assertNotFast(status(), "overrides created");
    assertEquals(renamed, javaStatus("next_step=t1\n"));
    assertEquals(renamed, fast(status()));
    Files.writeString(overrides, "{\"phases\": {\"p\": {\"steps\": {\"t1\": {\"env\": {\"A\": \"2\"}}}}}}\n");
    assertNotFast(status(), "overrides edited");
    javaStatus("next_step=t1\n");
    Files.delete(overrides);
    assertNotFast(status(), "overrides removed");
    javaStatus("next_step=t1\n");
    assertEquals(renamed, fast(status()));

    // State: the real runner completes one step, then all; its status is kept current by the runner.
    Result one = run(Map.of(), "sysroot-runner", "--rootfs", rootfs.toString(), "--package", "t1");
    assertEquals(0, one.exit(), one.toString());
    String afterOne = fast(status());
    assertTrue(afterOne.contains("next_step=s2\n"), "the runner left its status in the cache: " + afterOne);
    Files.delete(lib.resolve("sysroot-build-status.txt"));
    assertEquals(afterOne, javaStatus("next_step=s2\n"), "the runner's cache is what the Java status prints");
    Result all = run(Map.of(), "sysroot-runner", "--rootfs", rootfs.toString());
    assertEquals(0, all.exit(), all.toString());
    String done = fast(status());
    assertTrue(done.contains("next_phase=complete\n"), done);
    Path state = lib.resolve("sysroot-build-state.json");
    byte[] full = Files.readAllBytes(state);
    Files.delete(state);
    assertNotFast(status(), "state removed");
    assertEquals(renamed, javaStatus("next_step=t1\n"));
    Files.write(state, full);
    assertNotFast(status(), "state back");
    assertEquals(done, javaStatus("next_phase=complete\n"));

    // The jar: another build of bq2 may print differently.
    Files.writeString(proj.resolve("target/bq2.jar"), "another build\n");
    assertNotFast(status(), "jar rebuilt");
    assertEquals(done, javaStatus("next_phase=complete\n"));
    assertEquals(done, fast(status()));
  }

  @Test
  @Timeout(300)
  void aStatusThatWarnsIsNeverAnsweredFromTheCache() throws Exception {
    // A stale overrides entry (a step the regenerated plan no longer has): the Java status
    // answers and warns on stderr; the warning must come again next time, so no cache is kept.
    Files.writeString(lib.resolve("sysroot-build-overrides.json"),
        "{\"phases\": {\"p\": {\"steps\": {\"gone\": {\"env\": {\"A\": \"1\"}}}}}}\n");
    Result warned = run(Map.of(), "sysroot-status", "--rootfs", rootfs.toString());
    assertEquals(0, warned.exit(), warned.toString());
    assertTrue(warned.err().contains("warning") && warned.err().contains("gone"), warned.toString());
    assertTrue(warned.out().contains("next_step=s1\n"), warned.toString());
    assertNotFast(status(), "the warning is printed by Java every time");
    Result again = run(Map.of(), "sysroot-status", "--rootfs", rootfs.toString());
    assertEquals(warned.err(), again.err(), "the same warning the second time");
  }

  @Test
  @Timeout(300)
  void answersOnlyTheInvocationItWasWrittenFor() throws Exception {
    String java = javaStatus("next_step=s1\n");
    assertEquals(java, fast(status()));
    String rfs = rootfs.toString();
    // The same question in every spelling Java resolves to this rootfs.
    assertEquals(java, fast(run(NO_JVM, "sysroot-status", "--rootfs=" + rfs)));
    assertEquals(java, fast(run(NO_JVM, "sysroot-status", "--rootfs", rfs + "/")));
    assertEquals(java, fast(run(NO_JVM, "sysroot-status", "--rootfs", "rootfs")), "relative to the cwd");
    assertEquals(java, fast(run(Map.of("BQ2_ROOTFS", rfs, "BQ2_JAVA", "/nonexistent/java"), "sysroot-status")));
    Path links = dir.resolve("links");
    Files.createDirectories(links);
    Files.createSymbolicLink(links.resolve("sysroot-status"), proj.resolve("bin/bq2"));
    Files.createSymbolicLink(links.resolve("sysroot-runner"), proj.resolve("bin/bq2"));
    assertEquals(java, fast(runAs(links.resolve("sysroot-status"), NO_JVM, "--rootfs", rfs)), "busybox-style link");

    // Anything else is Java's.
    assertNotFast(runAs(links.resolve("sysroot-runner"), NO_JVM, "sysroot-status", "--rootfs", rfs), "the runner link");
    assertNotFast(run(NO_JVM, "sysroot-status", "--rootfs", rfs, "--json"), "--json");
    assertNotFast(run(NO_JVM, "sysroot-status", "--rootfs", rfs, "--no-overrides"), "--no-overrides");
    assertNotFast(run(NO_JVM, "sysroot-status", "--rootfs", rfs, "--plan", lib.resolve("sysroot-build-plan.json").toString()), "--plan");
    assertNotFast(run(NO_JVM, "sysroot-status", "--rootfs", rfs + "/./"), "a path to normalise");
    assertNotFast(run(NO_JVM, "sysroot-status", "--help"), "--help");
    assertNotFast(run(NO_JVM, "sysroot-status"), "no --rootfs and no BQ2_ROOTFS: /");
    assertNotFast(run(Map.of("BQ2_JAVA_OPTS", "-Dx=y", "BQ2_JAVA", "/nonexistent/java"), "sysroot-status", "--rootfs", rfs), "JVM options");
    Files.writeString(config, "json=true\n");
    assertNotFast(status(), "a user config file may change the defaults");
    Files.delete(config);
    assertEquals(java, fast(status()));

    // A copy of the rootfs holds a cache that answers for the original: not used.
    Path copy = dir.resolve("copy");
    Files.createDirectories(copy.resolve("var/lib"));
    for (String f : List.of("sysroot-build-plan.json", "sysroot-build-status.txt")) {
      Files.copy(lib.resolve(f), copy.resolve("var/lib").resolve(f));
    }
    Result c = run(NO_JVM, "sysroot-status", "--rootfs", copy.toString());
    assertEquals(127, c.exit(), "a copied cache answers for another rootfs: " + c);
    Result fresh = run(Map.of(), "sysroot-status", "--rootfs", copy.toString());
    assertTrue(fresh.out().contains("plan_path=" + copy.resolve("var/lib/sysroot-build-plan.json") + "\n"), fresh.toString());
  }

  @Test
  @Timeout(120)
  void javaStampsAreWhatStatAndCksumPrint() throws Exception {
    Path f = dir.resolve("f");
    for (String content : List.of("", "a", "x".repeat(70000), "{\"k\": \"\u00e9\"}\n")) {
      Files.writeString(f, content);
      assertEquals(tool("stat", "-c", "%n %s %i %.9Y %.9Z", "--", f.toString()),
          dev.bq2.state.StatusCache.stat(f) + "\n");
      assertEquals(tool("cksum", "--", f.toString()), dev.bq2.state.StatusCache.cksum(f) + "\n");
    }
  }

  private String tool(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  private Result status() throws Exception {
    return run(NO_JVM, "sysroot-status", "--rootfs", rootfs.toString());
  }

  /** The output of a run that cannot have started a JVM. */
  private static String fast(Result r) {
    assertEquals(0, r.exit(), "fast path expected: " + r);
    assertEquals("", r.err(), r.toString());
    return r.out();
  }

  private static void assertNotFast(Result r, String why) {
    assertEquals(127, r.exit(), why + ": the launcher must start java here: " + r);
    assertTrue(r.err().contains("/nonexistent/java"), r.toString());
  }

  /** A Java status run (the stand-in java), which must say {@code expect}. */
  private String javaStatus(String expect) throws Exception {
    Result r = run(Map.of(), "sysroot-status", "--rootfs", rootfs.toString());
    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.err(), r.toString());
    assertTrue(r.out().contains(expect), r.out());
    return r.out();
  }

  private Result run(Map<String, String> extraEnv, String... args) throws Exception {
    return runAs(proj.resolve("bin/bq2"), extraEnv, args);
  }

  private Result runAs(Path launcher, Map<String, String> extraEnv, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.remove("BQ2_JAVA_OPTS");
    env.remove("BQ2_ROOTFS");
    env.remove("BQ2_CONFIG");
    env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
    env.put("BQ2_JAVA", javaStandIn.toString());
    env.put("BQ2_TEST_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("BQ2_TEST_CP", System.getProperty("java.class.path"));
    env.putAll(new HashMap<>(extraEnv));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void executable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
