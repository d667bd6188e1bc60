package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.runner.TreePackages;
import dev.bq2.state.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 "must show": the package that made the autopilot give up after a correct fix — a
 * header defining `int counter;` (a multiple definition under gcc ≥ 10), a hand-written Makefile
 * with `CFLAGS ?= -O2` and no clean targets, a hand-written configure — iterates to complete
 * through the real `bq2 iterate` (a child JVM; its runners are child JVMs too): the rule's
 * `CFLAGS=-fcommon` + `clean_build` is applied, the runner restores the tree from its pristine
 * copy (no `make distclean`, which this Makefile lacks), the objects are rebuilt and the link works.
 */
class HandWrittenMakefileIterateTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void iterateFixesTheCommonSymbolPackageWithOneDeltaAndARealRebuild() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path tree = dir.resolve("src/counter");
    TreePackages.counter(tree);
    RootfsLayout layout = TreePackages.plan(rootfs, "userland",
        TreePackages.step("counter", "autotools", tree, Map.of(), false));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    Path cwd = Files.createDirectories(dir.resolve("cwd"));

    ChildJvm c = ChildJvm.run(cwd, dir.resolve("iterate"), Duration.ofSeconds(110), "iterate", "--rootfs",
        rootfs.toString(), "--fs-root", fsRoot.toString(), "--assistant", "rules", "--jobs", "2");

    assertEquals(0, c.exit(), c.toString());
    assertEquals(PhaseStatus.COMPLETE, Status.compute(layout, true).nextPhase());
    assertEquals(Fixture.json("""
        {"phases": {"userland": {"steps": {"counter":
          {"env": {"CFLAGS": "-fcommon"}, "clean_build": true}}}}}
        """), Fixture.overrides(layout));
    List<HistoryEntry> history = Fixture.history(layout);
    assertEquals(1, history.stream().filter(h -> h.event().equals("applied")).count(), history.toString());
    assertTrue(history.stream().anyMatch(h -> "fixed".equals(h.outcome())), history.toString());

    // The runners' logs: the first kept a pristine copy, the second restored the tree from it (no
    // make distclean, which this Makefile lacks); the link then works, so the objects were rebuilt.
    List<Path> logs;
    try (Stream<Path> s = Files.list(layout.logDir())) {
      logs = s.filter(p -> p.getFileName().toString().matches("sysroot-runner-.*-userland\\.log")).sorted().toList();
    }
    assertEquals(2, logs.size(), logs.toString());
    String first = Files.readString(logs.get(0));
    String second = Files.readString(logs.get(1));
    assertTrue(first.contains("Pristine copy of " + tree + " kept in "), first);
    assertTrue(second.contains("Clean tree (clean_build): restored " + tree + " from its pristine copy"), second);
    assertFalse(second.contains("distclean"), second);
    assertFalse(Files.exists(layout.pristineDir()), "the copy went when the step completed");

    Path bin = rootfs.resolve("stage/usr/bin/counter-demo");
    Process p = new ProcessBuilder(bin.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals("counter=2\n", out);
  }
}
