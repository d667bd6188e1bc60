package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.state.Status;
import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bq2 iterate` (a real child JVM) over a fake file system tree (`--fs-root`): with `--verbose` it
 * prints every rootfs candidate it checked and the one it chose, with the seed classification;
 * by default one line names the choice and the candidates go to the journal only; with none
 * found it exits 2 listing them ("stop and ask").
 */
class IterateDetectionTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void verbosePrintsTheCandidatesCheckedAndTheChosenRootfsThenRunsThePhase() throws Exception {
    Path fsRoot = dir.resolve("fs");
    Path rootfs = fsRoot.resolve("workspace/rootfs");
    RootfsLayout layout = Fixture.plan(rootfs, "only", Map.of(), Fixture.Step.shell("ok", "echo fine"));
    Files.createDirectories(rootfs.resolve("usr/bin"));
    Files.writeString(rootfs.resolve("usr/bin/clang"), "");
    Path cwd = Files.createDirectories(dir.resolve("cwd"));

    ChildJvm c = ChildJvm.run(cwd, dir.resolve("iterate"), Duration.ofSeconds(50), "iterate", "--fs-root", fsRoot.toString(),
        "--verbose");

    assertEquals(0, c.exit(), c.toString());
    String out = c.stdout();
    assertTrue(out.contains("rootfs candidates checked:\n"), out);
    assertTrue(out.contains("  [ ] " + fsRoot.resolve("var/lib/sysroot-build-plan.json") + " (in place)\n"), out);
    assertTrue(out.contains("  [x] " + layout.plan() + " (outer rootfs)\n"), out);
    assertTrue(out.indexOf("(in place)") < out.indexOf("(outer rootfs)"), "in the seed's order: " + out);
    assertFalse(out.contains("data/sysroot/rootfs"), "detection stops at the first match: " + out);
    assertTrue(out.contains("rootfs: " + rootfs + " (detected; inner bq2 rootfs (usr/bin/clang))\n"), out);
    assertTrue(out.contains("repo: none found (using our own runner and status)"), out);
    assertTrue(out.contains("runner: "), out);
    assertEquals(PhaseStatus.COMPLETE, Status.compute(layout, true).nextPhase());
  }

  /** Issue 10 item 14: detection output is not for the terminal by default; the journal keeps it. */
  @Test
  @Timeout(60)
  void byDefaultOneLineNamesTheChoiceAndTheJournalKeepsTheCandidates() throws Exception {
    Path fsRoot = dir.resolve("fs");
    Path rootfs = fsRoot.resolve("workspace/rootfs");
    RootfsLayout layout = Fixture.plan(rootfs, "only", Map.of(), Fixture.Step.shell("ok", "echo fine"));
    Path cwd = Files.createDirectories(dir.resolve("cwd"));

    ChildJvm c = ChildJvm.run(cwd, dir.resolve("iterate"), Duration.ofSeconds(50), "iterate", "--fs-root", fsRoot.toString());

    assertEquals(0, c.exit(), c.toString());
    String out = c.stdout();
    assertEquals("iterate: rootfs " + rootfs + " (detected), repo none (our own runner and status)", out.lines().findFirst().orElse(""), out);
    assertFalse(out.contains("candidates"), out);
    assertFalse(out.contains("[ ]") || out.contains("[x]"), out);
    assertEquals("", c.stderr());
    List<Path> sessions = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions"));
    assertEquals(1, sessions.size(), sessions.toString());
    JournalEvent started = Fixture.events(sessions.get(0)).get(0);
    assertEquals("session_started", started.type());
    String detection = ((List<?>) started.get("detection")).stream().map(String::valueOf)
        .collect(java.util.stream.Collectors.joining("\n"));
    assertTrue(detection.contains("[ ] " + fsRoot.resolve("var/lib/sysroot-build-plan.json") + " (in place)"), detection);
    assertTrue(detection.contains("[x] " + layout.plan() + " (outer rootfs)"), detection);
  }

  @Test
  @Timeout(60)
  void noCandidateMatchesExit2ListingThem() throws Exception {
    Path fsRoot = Files.createDirectories(dir.resolve("fs"));
    Path cwd = Files.createDirectories(dir.resolve("cwd"));

    ChildJvm c = ChildJvm.run(cwd, dir.resolve("iterate"), Duration.ofSeconds(50), "iterate", "--fs-root", fsRoot.toString());

    assertEquals(2, c.exit(), c.toString());
    String err = c.stderr();
    assertTrue(err.startsWith("bq2: no rootfs found (checked "), err);
    for (String candidate : new String[] {"var/lib/sysroot-build-plan.json", "workspace/rootfs/var/lib/sysroot-build-plan.json",
        "work/bootstrap-qcow2/data/sysroot/rootfs/var/lib/sysroot-build-plan.json"}) {
      assertTrue(err.contains(fsRoot.resolve(candidate).toString()), candidate + " in " + err);
    }
    assertTrue(err.contains(cwd.resolve("data/sysroot/seed-rootfs/bq2-rootfs/var/lib/sysroot-build-plan.json").toString()), err);
    assertTrue(err.contains("pass --rootfs DIR"), "says how to fix it: " + err);
    assertEquals(1, err.strip().lines().count(), "one line: " + err);
  }
}
