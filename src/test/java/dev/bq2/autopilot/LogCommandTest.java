package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.shell.TmuxSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 7: `bq2 log -f` follows the output of the step being built (marked
 * `[phase/step]`, beside the runner's own lines), switches to the next step's log when the
 * runner moves on, and ends with the run; `bq2 log STEP` shows a finished step's newest log,
 * through `$PAGER` only on a terminal; an unknown step is one line naming the closest ones.
 */
class LogCommandTest {
  static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void followsEachStepsOutputLiveAcrossStepsThenShowsAFinishedStep() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path ctl = dir.resolve("ctl");
    Fixture.plan(rootfs, "p", Map.of("CTL", ctl.toString()),
        Fixture.Step.shell("one", OnDemandStep.script("one", null)),
        Fixture.Step.shell("two", OnDemandStep.script("two", "two: started")));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    String[] context = {"--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString()};
    OnDemandStep one = new OnDemandStep(ctl, "one");
    OnDemandStep two = new OnDemandStep(ctl, "two");

    ChildJvm detach = ChildJvm.run(dir, dir.resolve("detach"), Duration.ofSeconds(60),
        "iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--detach", "--quiet");
    assertEquals(0, detach.exit(), detach.toString());
    ChildJvm follow = ChildJvm.start(dir, dir.resolve("follow"), "log", "-f", context[0], context[1], context[2], context[3]);

    one.print("one: first\n");
    ChildJvm.await("one's first line, live", WAIT, () -> follow.stdout().contains("[p/one] one: first\n") || !follow.process.isAlive());
    one.print("one: second\n");
    ChildJvm.await("one's second line", WAIT, () -> follow.stdout().contains("[p/one] one: second\n") || !follow.process.isAlive());
    assertTrue(follow.process.isAlive(), "still following: " + follow);
    one.end();
    ChildJvm.await("two's output, after the switch", WAIT, () -> follow.stdout().contains("[p/two] two: started\n") || !follow.process.isAlive());
    two.print("two: more\n");
    ChildJvm.await("two's next line", WAIT, () -> follow.stdout().contains("[p/two] two: more\n") || !follow.process.isAlive());
    two.end();
    assertEquals(0, follow.waitFor(WAIT), "log -f ends when the run (and its autopilot) ends: " + follow);

    String out = follow.stdout();
    int first = out.indexOf("[p/one] one: first");
    int building2 = out.indexOf("INFO - Building two in ");
    int started2 = out.indexOf("[p/two] two: started");
    assertTrue(first >= 0 && building2 > first && started2 > building2, "one's output, the runner's line, two's output:\n" + out);
    assertTrue(out.contains("INFO - Finished one"), "the runner's own lines too:\n" + out);
    assertTrue(out.contains("==> runner exited 0"), out);
    assertEquals(1, out.split("\\[p/one\\] one: first", -1).length - 1, "each line once:\n" + out);
    assertFalse(out.contains("\033"), "piped: no colour:\n" + out);

    ChildJvm shown = ChildJvm.run(dir, dir.resolve("show"), WAIT, "log", "one", context[0], context[1], context[2], context[3]);
    assertEquals(0, shown.exit(), shown.toString());
    assertTrue(shown.stdout().startsWith("==> p/one: " + rootfs.resolve("var/lib/sysroot-build-logs")), shown.stdout());
    assertTrue(shown.stdout().contains("\none: first\none: second\n"), "the whole step log, not paged when piped: " + shown);
    ChildJvm qualified = ChildJvm.run(dir, dir.resolve("qualified"), WAIT, "log", "p/two", context[0], context[1], context[2], context[3]);
    assertEquals(0, qualified.exit(), qualified.toString());
    assertTrue(qualified.stdout().contains("\ntwo: started\ntwo: more\n"), qualified.toString());

    ChildJvm unknown = ChildJvm.run(dir, dir.resolve("unknown"), WAIT, "log", "onw", context[0], context[1], context[2], context[3]);
    assertEquals(2, unknown.exit(), unknown.toString());
    assertEquals(1, unknown.stderr().lines().count(), unknown.stderr());
    assertTrue(unknown.stderr().startsWith("bq2: no step onw in the plan ") && unknown.stderr().contains("closest: p/one, p/two"),
        unknown.stderr());

    // On a terminal the log goes through $PAGER (here one that keeps what it was given).
    Path paged = dir.resolve("paged.txt");
    String cmd = ChildJvm.shellCommand("log", "one", context[0], context[1], context[2], context[3]) + "; echo EXIT=$?; exec sleep 600";
    try (TmuxSession t = TmuxSession.start(80, 24, List.of("sh", "-c", "unset NO_COLOR COLUMNS LINES; " + cmd), Map.of("PAGER", "cat > '" + paged + "'"))) {
      String screen = t.awaitText("EXIT=", WAIT);
      assertTrue(screen.contains("EXIT=0"), screen);
      assertFalse(screen.contains("one: first"), "the pager had it, not the terminal:\n" + screen);
      String text = Files.readString(paged);
      assertTrue(text.contains("==> p/one: ") && text.contains("\none: first\none: second\n"), text);
    }
  }
}
