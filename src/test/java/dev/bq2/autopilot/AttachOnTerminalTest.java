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
 * Issue 10 item 9: `iterate --attach` on a terminal shows what the detached autopilot says
 * (`#N failed`, `rules → … applied`), in colour, as it does without a terminal, with the status
 * line of the step its runner builds below.
 */
class AttachOnTerminalTest {
  static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  @Timeout(240)
  void attachOnATerminalShowsTheAutopilotsLinesAndTheStatusLine() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path ctl = dir.resolve("ctl");
    Fixture.plan(rootfs, "night", Map.of("CTL", ctl.toString()),
        Fixture.Step.shell("docs", "if [ \"${MAKEINFO:-}\" != true ]; then echo 'makeinfo: command not found' >&2; exit 127; fi"),
        Fixture.Step.shell("wait", OnDemandStep.script("wait", "waiting for the test")));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    ChildJvm detach = ChildJvm.run(dir, dir.resolve("detach"), Duration.ofSeconds(60),
        "iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--detach", "--quiet");
    assertEquals(0, detach.exit(), detach.toString());

    String attach = ChildJvm.shellCommand("iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--attach")
        + "; echo EXIT=$?; exec sleep 600";
    try (TmuxSession t = TmuxSession.start(80, 24, List.of("sh", "-c", "unset NO_COLOR COLUMNS LINES; " + attach), Map.of())) {
      String screen = t.await("the autopilot's failure, fix and the waiting step's status", WAIT,
          s -> s.contains("iterate: #1 failed: night/docs") && s.contains("→") && s.contains("applied, rerunning")
              && s.contains("phase night | step 2/2 wait | ") && s.contains("| waiting for the test"));
      String joined = t.screenJoined();
      assertTrue(joined.contains("iterate: #2 runner started"), joined);
      assertTrue(joined.contains("MAKEINFO"), "the fix itself: " + joined);
      assertEquals(1, joined.lines().filter(l -> l.startsWith("phase night | ")).count(), joined);
      assertFalse(joined.contains("INFO - Building"), "the runner's own lines feed the status line only: " + joined);
      assertEquals(0, t.historySize(), screen);
      String escaped = t.screenWithEscapes();
      // tmux writes an attribute where it changes: the last one before the line is its colour.
      String before = escaped.substring(0, escaped.indexOf("iterate: #1 failed"));
      String sgr = before.substring(before.lastIndexOf("\033["));
      assertTrue(sgr.matches("(?s)\033\\[[0-9;]*31[0-9;]*m.*"), "the failure in red:\n" + escaped.replace("\033", "\\e"));
      String fix = escaped.substring(0, escaped.indexOf("iterate: #1 rules →"));
      assertTrue(fix.substring(fix.lastIndexOf("\033[")).matches("(?s)\033\\[[0-9;]*32[0-9;]*m.*"),
          "the fix in green:\n" + escaped.replace("\033", "\\e"));

      new OnDemandStep(ctl, "wait").end();
      screen = t.awaitText("EXIT=", WAIT);
      assertTrue(screen.contains("iterate: phase night complete"), screen);
      assertTrue(screen.contains("detached autopilot ended: exit 0"), screen);
      assertTrue(screen.contains("EXIT=0"), screen);
    }
  }
}
