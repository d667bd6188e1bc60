package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 "must show", by hand: the common-symbol package with a hand-written Makefile and no
 * clean targets fails to link; a person writes the override (`CFLAGS=-fcommon`, `clean_build`)
 * and reruns `bq2 sysroot-runner`: the tree is restored, the objects are rebuilt, exit 0.
 */
class HandWrittenMakefileTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void manualOverrideThenSysrootRunnerCompletes() throws Exception {
    TestRootfs fs = new TestRootfs(dir.resolve("rootfs"));
    Path tree = dir.resolve("src/counter");
    TreePackages.counter(tree);
    TreePackages.plan(fs.root, "userland", TreePackages.step("counter", "autotools", tree, Map.of(), false));

    TestRootfs.Result r1 = fs.runner("--jobs", "2");
    assertEquals(1, r1.exit(), r1.toString());
    assertTrue(Files.exists(tree.resolve("main.o")), "stale objects from the failed link stay in the tree");

    fs.writeOverrides("""
        {"phases": {"userland": {"steps": {"counter": {"env": {"CFLAGS": "-fcommon"}, "clean_build": true}}}}}
        """);
    TestRootfs.Result r2 = fs.runner("--jobs", "2");
    assertEquals(0, r2.exit(), r2.toString());
    List<Path> logs = fs.logs();
    String log = Files.readString(logs.get(logs.size() - 1));
    assertTrue(log.contains("Clean tree (clean_build): restored " + tree), log);
    assertTrue(log.contains("-fcommon -c main.c"), "main.o was rebuilt with the new CFLAGS: " + log);

    Process p = new ProcessBuilder(fs.root.resolve("stage/usr/bin/counter-demo").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals("counter=2\n", out);
  }
}
