package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.state.BuildState;
import dev.bq2.supervise.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §2: `clean_build` and a changed definition put the step's tree back as it was before
 * its first build — from the source archive, with git, or from the runner's pristine copy —
 * before patches, and only when none exists does the strategy fall back to `make distclean`.
 *
 * <p>Each case builds a real package with gcc and make through the real `sysroot-runner`: the
 * first run creates objects, a Makefile and a folder, rewrites `Makefile.in`, deletes a file, and
 * fails at `make install`; the second stops in configure before touching anything, so the tree
 * it leaves is exactly what the restore produced.
 */
class CleanRestoreTest {
  @TempDir Path dir;
  TestRootfs fs;
  Path stop;
  Map<String, String> env;

  @BeforeEach
  void setUp() throws IOException {
    fs = new TestRootfs(dir.resolve("rootfs"));
    stop = dir.resolve("stop");
    env = new LinkedHashMap<>(Map.of("STOP_MARK", stop.toString(), "FAIL_INSTALL", "1"));
  }

  @Test
  @Timeout(60)
  void archiveTreeIsExtractedAgain() throws Exception {
    Path staging = dir.resolve("staging");
    TreePackages.rewriting(staging.resolve("pkg-1.0"));
    Path sources = Files.createDirectories(dir.resolve("sources"));
    TreePackages.sh(dir, "tar", "-czf", sources.resolve("pkg-1.0.tar.gz").toString(), "-C", staging.toString(), "pkg-1.0");
    Path work = dir.resolve("work");
    Path tree = work.resolve("pkg-1.0");
    Map<String, Object> unpack = TreePackages.step("unpack", "extract-sources", null, Map.of(), false);
    unpack.put("destdir", work.toString());
    unpack.put("sources_directory", sources.toString());
    unpack.put("extract_sources", List.of(Map.of("name", "pkg", "version", "1.0", "filename", "pkg-1.0.tar.gz",
        "build_directory", "pkg-1.0")));
    TreePackages.plan(fs.root, "p", unpack, TreePackages.step("pkg", "autotools", tree, env, true));

    String log = failThenRestore(tree, TreePackages.snapshot(staging.resolve("pkg-1.0"), false), false);
    assertTrue(log.contains("Clean tree (clean_build): re-extracted " + sources.resolve("pkg-1.0.tar.gz") + " into " + tree
        + " in "), log);
    assertNoPristineCopies();
    try (var s = Files.list(work)) {
      assertEquals(List.of(tree), s.toList(), "no temp sibling is left beside the tree");
    }
  }

  @Test
  @Timeout(60)
  void aBrokenArchiveFailsTheStepAndLeavesTheTreeWhole() throws Exception {
    Path staging = dir.resolve("staging");
    TreePackages.rewriting(staging.resolve("pkg-1.0"));
    Path sources = Files.createDirectories(dir.resolve("sources"));
    Path archive = sources.resolve("pkg-1.0.tar.gz");
    TreePackages.sh(dir, "tar", "-czf", archive.toString(), "-C", staging.toString(), "pkg-1.0");
    Path work = dir.resolve("work");
    Path tree = work.resolve("pkg-1.0");
    Map<String, Object> unpack = TreePackages.step("unpack", "extract-sources", null, Map.of(), false);
    unpack.put("destdir", work.toString());
    unpack.put("sources_directory", sources.toString());
    unpack.put("extract_sources", List.of(Map.of("name", "pkg", "version", "1.0", "filename", "pkg-1.0.tar.gz",
        "build_directory", "pkg-1.0")));
    TreePackages.plan(fs.root, "p", unpack, TreePackages.step("pkg", "autotools", tree, env, true));
    assertEquals(1, fs.runner("--jobs", "2").exit());
    Map<String, String> built = TreePackages.snapshot(tree, true);

    byte[] whole = Files.readAllBytes(archive);
    Files.write(archive, java.util.Arrays.copyOf(whole, whole.length / 2));
    TestRootfs.Result r = fs.runner("--jobs", "2");
    assertEquals(1, r.exit(), r.toString());
    String error = fs.newestReport().get("error").asText();
    assertTrue(error.startsWith("Cannot extract " + archive + ": tar -xf " + archive), error);
    assertEquals(built, TreePackages.snapshot(tree, true), "the tree is untouched: the swap never happened");
    try (var s = Files.list(work)) {
      assertEquals(List.of(tree), s.toList(), "the half-extracted temp sibling is gone");
    }
  }

  @Test
  @Timeout(60)
  void gitTreeIsCleanedAndCheckedOut() throws Exception {
    Path tree = dir.resolve("src/pkg");
    TreePackages.rewriting(tree);
    TreePackages.sh(tree, "git", "init", "-q");
    TreePackages.sh(tree, "git", "add", "-A");
    TreePackages.sh(tree, "git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "import");
    TreePackages.plan(fs.root, "p", TreePackages.step("pkg", "autotools", tree, env, true));

    String log = failThenRestore(tree, TreePackages.snapshot(tree, false), false);
    assertTrue(log.contains("Clean tree (clean_build): git clean -fdx and git checkout -- . in " + tree + " in "), log);
    assertNoPristineCopies();
  }

  @Test
  @Timeout(60)
  void plainTreeIsRestoredFromThePristineCopyWithItsTimestamps() throws Exception {
    Path tree = dir.resolve("src/pkg");
    TreePackages.rewriting(tree);
    TreePackages.plan(fs.root, "p", TreePackages.step("pkg", "autotools", tree, env, true));
    Map<String, String> original = TreePackages.snapshot(tree, true);

    String log = failThenRestore(tree, original, true);
    Path copy = fs.layout.pristineDir().resolve("p/pkg/tree");
    assertTrue(log.contains("Clean tree (clean_build): restored " + tree + " from its pristine copy " + copy + " ("), log);
    assertEquals(original, TreePackages.snapshot(copy, true), "the copy itself is the tree before the first build");

    // Fixed: the step completes, and its pristine copy goes.
    Files.delete(stop);
    fs.writeOverrides("{\"phases\": {\"p\": {\"steps\": {\"pkg\": {\"env\": {\"FAIL_INSTALL\": \"\"}}}}}}");
    TestRootfs.Result r = fs.runner("--jobs", "2");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(Files.isRegularFile(fs.root.resolve("stage/usr/bin/prog")), "installed");
    assertFalse(Files.exists(fs.layout.pristineDir().resolve("p")), "the copy is removed when the step completes");
  }

  @Test
  @Timeout(60)
  void changedDefinitionStartsFromACleanTreeWithoutCleanBuild() throws Exception {
    Path tree = dir.resolve("src/pkg");
    TreePackages.rewriting(tree);
    TreePackages.plan(fs.root, "p", TreePackages.step("pkg", "autotools", tree, env, false));
    Map<String, String> original = TreePackages.snapshot(tree, true);

    TestRootfs.Result r1 = fs.runner("--jobs", "2");
    assertEquals(1, r1.exit(), r1.toString());
    assertTrue(Files.exists(tree.resolve("src/a.o")), "built");
    BuildState s = fs.state();
    String first = s.attemptFingerprint("p", "pkg");
    assertNotNull(first, "the attempt's fingerprint is kept although it failed");
    assertNull(s.fingerprint("p", "pkg"), "not completed");

    // The same definition again: no restore (the tree is the one this definition built).
    Files.writeString(stop, "");
    TestRootfs.Result r2 = fs.runner("--jobs", "2");
    assertEquals(1, r2.exit(), r2.toString());
    assertFalse(newestLog().contains("Clean tree"), newestLog());
    assertTrue(Files.exists(tree.resolve("src/a.o")));

    // A changed definition (an override of CFLAGS): restored before anything runs.
    fs.writeOverrides("{\"phases\": {\"p\": {\"steps\": {\"pkg\": {\"env\": {\"CFLAGS\": \"-O1\"}}}}}}");
    TestRootfs.Result r3 = fs.runner("--jobs", "2");
    assertEquals(1, r3.exit(), r3.toString());
    String log = newestLog();
    assertTrue(log.contains("Clean tree (definition changed since the last attempt): restored " + tree), log);
    assertEquals(original, TreePackages.snapshot(tree, true));
    assertNotEquals(first, fs.state().attemptFingerprint("p", "pkg"), "the new attempt is recorded");
  }

  /**
   * The attempt is recorded before the build: a runner killed (kill -9) during a step's first
   * build, whose state never got the attempt, still restores the tree from its pristine copy
   * when the definition then changes.
   */
  @Test
  @Timeout(120)
  void aRunnerKilledDuringTheFirstAttemptStillRestoresTheTreeWhenTheDefinitionChanges() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("src/pkg"));
    Path started = dir.resolve("started");
    Path gate = dir.resolve("gate");
    // Each build leaves its own trace (built.txt, as an object file would), then waits for the gate.
    Files.writeString(tree.resolve("Makefile.bq2"), "all:\n"
        + "\techo \"$(CFLAGS)\" >> built.txt\n"
        + "\techo $$$$ > " + started + ".tmp && mv " + started + ".tmp " + started
        + " && while [ ! -e " + gate + " ]; do sleep 0.05; done\n"
        + "install:\n\t@:\n");
    Map<String, String> original = TreePackages.snapshot(tree, true);
    TreePackages.plan(fs.root, "p", TreePackages.step("pkg", "makefile-classic", tree, Map.of("CFLAGS", "-O2"), false));

    ChildJvm runner = ChildJvm.start(dir, dir.resolve("runner-1"), "sysroot-runner", "--rootfs", fs.root.toString(),
        "--jobs", "1");
    ChildJvm.await("the first build to start", Duration.ofSeconds(60),
        () -> Files.exists(started) || !runner.process.isAlive());
    assertTrue(runner.process.isAlive(), runner.toString());
    TreePackages.sh(dir, "kill", "-9", Long.toString(runner.process.pid()));
    assertEquals(137, runner.waitFor(Duration.ofSeconds(30)));
    // The build's own process group outlives the runner: stop it too, as a reboot would.
    long shell = Long.parseLong(Files.readString(started).trim());
    long group = ProcStat.read(shell).orElseThrow().pgrp();
    TreePackages.sh(dir, "kill", "-9", "--", "-" + group);
    ChildJvm.await("the killed build's group to be gone", Duration.ofSeconds(30), () -> ProcStat.groupMembers(group).isEmpty());
    assertEquals("-O2\n", Files.readString(tree.resolve("built.txt")), "the first attempt built");

    Files.writeString(gate, "");
    fs.writeOverrides("{\"phases\": {\"p\": {\"steps\": {\"pkg\": {\"env\": {\"CFLAGS\": \"-O1\"}}}}}}");
    TestRootfs.Result r = fs.runner("--jobs", "1");
    assertEquals(0, r.exit(), r.toString());
    String log = newestLog();
    assertTrue(log.contains("Clean tree (definition changed since the last attempt): restored " + tree), log);
    assertEquals("-O1\n", Files.readString(tree.resolve("built.txt")), "built from the tree as it was before the first attempt");
    Files.delete(tree.resolve("built.txt"));
    assertEquals(original, TreePackages.snapshot(tree, true));
    assertFalse(Files.exists(fs.layout.pristineDir()), "the copy went when the step completed");
  }

  @Test
  @Timeout(60)
  void noCleanOnChangeKeepsTheTree() throws Exception {
    Path tree = dir.resolve("src/pkg");
    TreePackages.rewriting(tree);
    TreePackages.plan(fs.root, "p", TreePackages.step("pkg", "autotools", tree, env, false));

    assertEquals(1, fs.runner("--jobs", "2").exit());
    Files.writeString(stop, "");
    fs.writeOverrides("{\"phases\": {\"p\": {\"steps\": {\"pkg\": {\"env\": {\"CFLAGS\": \"-O1\"}}}}}}");
    TestRootfs.Result r = fs.runner("--jobs", "2", "--no-clean-on-change");
    assertEquals(1, r.exit(), r.toString());
    assertFalse(newestLog().contains("Clean tree"), newestLog());
    assertTrue(Files.exists(tree.resolve("src/a.o")), "the objects stay");
    assertTrue(Files.readString(tree.resolve("Makefile.in")).contains("# regenerated by configure"));
  }

  @Test
  @Timeout(60)
  void withoutArchiveGitOrCopyTheStrategyCleansInPlaceAndTheLogSaysSo() throws Exception {
    Path tree = dir.resolve("src/pkg");
    TreePackages.rewriting(tree);
    TreePackages.plan(fs.root, "p", TreePackages.step("pkg", "autotools", tree, env, true));

    // --no-resume keeps no state, so the runner cannot know the tree is unbuilt: no copy is taken.
    assertEquals(1, fs.runner("--jobs", "2", "--no-resume").exit());
    assertFalse(Files.exists(fs.layout.pristineDir()), "no copy under --no-resume");
    Files.writeString(stop, "");
    TestRootfs.Result r = fs.runner("--jobs", "2", "--no-resume");
    assertEquals(1, r.exit(), r.toString());
    String log = newestLog();
    int note = log.indexOf("Clean tree (clean_build): no source archive, git work tree or pristine copy restores " + tree);
    assertTrue(note >= 0, log);
    assertTrue(log.indexOf("make distclean", note) > note, "then the strategy's fallback runs: " + log);
    // Its failure is tolerated: detail for the runner log at DEBUG, not an INFO line people read.
    assertTrue(r.out().matches("(?s).* DEBUG - Finished in \\S+ \\(exit=2\\): make distclean \\(tolerated\\)\n.*"), r.out());
    assertFalse(r.out().matches("(?s).* INFO - (Running|Finished) in [^\n]*make distclean.*"), r.out());
    assertTrue(Files.exists(tree.resolve("src/a.o")), "this Makefile has no clean targets, so the objects stay");
  }

  @Test
  @Timeout(60)
  void patchesApplyToTheRestoredTree() throws Exception {
    Path tree = dir.resolve("src/pkg");
    TreePackages.rewriting(tree);
    Map<String, String> original = TreePackages.snapshot(tree, false);
    Path patch = dir.resolve("readme.patch");
    Files.writeString(patch, """
        --- a/README
        +++ b/README
        @@ -1 +1 @@
        -a package that rewrites its own files
        +a patched package
        """);
    Map<String, Object> step = TreePackages.step("pkg", "autotools", tree, env, true);
    step.put("patches", List.of(patch.toString()));
    TreePackages.plan(fs.root, "p", step);

    assertEquals(1, fs.runner("--jobs", "2").exit());
    assertEquals("a patched package\n", Files.readString(tree.resolve("README")));
    Files.writeString(stop, "");
    TestRootfs.Result r = fs.runner("--jobs", "2");
    assertEquals(1, r.exit(), r.toString());
    String log = newestLog();
    int restored = log.indexOf("Clean tree (clean_build): restored " + tree);
    int applied = log.indexOf("Applied patch " + patch);
    assertTrue(restored >= 0 && applied > restored, "restored first, then the patch applied afresh: " + log);
    assertFalse(log.contains("Patch already applied"), log);
    Map<String, String> expected = new java.util.TreeMap<>(original);
    expected.put("README", TreePackages.snapshot(tree, false).get("README"));
    assertEquals(expected, TreePackages.snapshot(tree, false), "the pristine tree plus the patch, nothing else");
    assertNotEquals(original.get("README"), expected.get("README"));
  }

  /**
   * Run 1 builds and fails at install; run 2 (the stop mark set, the plan unchanged) restores the
   * tree and stops in configure. Returns run 2's step log.
   */
  private String failThenRestore(Path tree, Map<String, String> original, boolean mtimes) throws Exception {
    TestRootfs.Result r1 = fs.runner("--jobs", "2");
    assertEquals(1, r1.exit(), r1.toString());
    assertTrue(fs.newestReport().get("error").asText().contains("make"), r1.toString());
    assertTrue(Files.exists(tree.resolve("prog")) && Files.exists(tree.resolve("src/a.o"))
        && Files.exists(tree.resolve("build-aux/stamp")), "the build created files");
    assertTrue(Files.readString(tree.resolve("Makefile.in")).contains("# regenerated by configure"), "and rewrote one");
    assertFalse(Files.exists(tree.resolve("obsolete.txt")), "and deleted one");
    assertNotEquals(original, TreePackages.snapshot(tree, mtimes));

    Files.writeString(stop, "");
    TestRootfs.Result r2 = fs.runner("--jobs", "2");
    assertEquals(1, r2.exit(), r2.toString());
    assertTrue(fs.newestReport().get("error").asText().contains("./configure"), r2.toString());
    assertEquals(original, TreePackages.snapshot(tree, mtimes), "exactly the tree before the first build");
    return newestLog();
  }

  private String newestLog() throws IOException {
    List<Path> logs = fs.logs();
    return Files.readString(logs.get(logs.size() - 1));
  }

  private void assertNoPristineCopies() throws IOException {
    Path d = fs.layout.pristineDir();
    if (!Files.exists(d)) return;
    try (var s = Files.walk(d)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().equals("tree")), "no pristine copy for a restorable tree");
    }
  }
}
