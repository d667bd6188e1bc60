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
 * Issue 10 items 8 and 11 on a real terminal (tmux): `bq2 iterate`'s status line is as wide as
 * the terminal (80 columns, then 60 after a resize), is redrawn in place without scrolling the
 * screen, shows phase, step n/m, elapsed time, attempt and the step's last output line, and is
 * in colour; with NO_COLOR there is no colour, and piped output has neither colour nor status line.
 */
class StatusLineTmuxTest {
  static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  Path rootfs;
  Path ctl;
  Path fsRoot;

  void plan() throws Exception {
    rootfs = dir.resolve("rootfs");
    ctl = dir.resolve("ctl");
    fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    Fixture.plan(rootfs, "p", Map.of("CTL", ctl.toString()),
        Fixture.Step.shell("noisy", OnDemandStep.script("noisy", null)),
        Fixture.Step.shell("quiet", OnDemandStep.script("quiet", "quiet step begins")));
  }

  static List<String> statusLines(String screen) {
    return screen.lines().filter(l -> l.startsWith("phase p | ")).toList();
  }

  @Test
  @Timeout(240)
  void statusLineFitsEightyColumnsRedrawsInPlaceAndFollowsAResize() throws Exception {
    plan();
    OnDemandStep noisy = new OnDemandStep(ctl, "noisy");
    OnDemandStep quiet = new OnDemandStep(ctl, "quiet");
    String cmd = ChildJvm.shellCommand("iterate", "--quiet", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString())
        + "; echo EXIT=$?; exec sleep 600";
    try (TmuxSession t = TmuxSession.start(80, 24, List.of("sh", "-c", "unset NO_COLOR COLUMNS LINES; " + cmd), Map.of())) {
      // 40 lines of 120 columns: printed, they would scroll a 24-row screen twice over.
      StringBuilder lines = new StringBuilder();
      for (int i = 1; i <= 40; i++) lines.append("noisy line ").append(i).append(": ").append("x".repeat(105)).append('\n');
      noisy.print(lines.toString());
      String screen = t.await("the status line with noisy's last line", WAIT,
          s -> s.contains("phase p | step 1/2 noisy | ") && s.contains("| attempt 1 | noisy line 40: xxx"));
      String joined = t.screenJoined();
      assertEquals(1, statusLines(joined).size(), "one status line:\n" + joined);
      String status = statusLines(joined).get(0);
      assertTrue(status.length() <= 79, "fits 80 columns (one to spare): " + status.length() + " " + status);
      assertTrue(status.matches("phase p \\| step 1/2 noisy \\| \\d+:\\d\\d \\| attempt 1 \\| noisy line 40: x+…"), status);
      assertEquals(0, t.historySize(), "nothing scrolled off the screen:\n" + screen);
      assertTrue(t.screenWithEscapes().contains("\033["), "colour on a terminal");

      noisy.print("noisy line 41: almost done\n");
      t.awaitText("| noisy line 41: almost done", WAIT);
      noisy.end();
      quiet.print("quiet says hello\n");
      screen = t.await("the next step's status", WAIT, s -> s.contains("phase p | step 2/2 quiet | ") && s.contains("| quiet says hello"));
      joined = t.screenJoined();
      assertEquals(1, statusLines(joined).size(), "still one status line:\n" + joined);
      assertEquals(0, t.historySize(), "redrawn in place, never scrolled:\n" + screen);

      t.resize(60, 24);
      quiet.print("quiet after the resize\n");
      screen = t.await("the status line redrawn for 60 columns", WAIT, s -> s.contains("| quiet after"));
      joined = t.screenJoined();
      assertEquals(1, statusLines(joined).size(), "one status line after the resize (the old one erased whole):\n" + joined);
      assertTrue(statusLines(joined).get(0).length() <= 59, "fits 60 columns: " + statusLines(joined).get(0));

      quiet.end();
      screen = t.awaitText("EXIT=0", WAIT);
      assertTrue(screen.contains("iterate: phase p complete"), screen);
      assertEquals(List.of(), statusLines(t.screenJoined()), "no status line left behind:\n" + screen);
    }
  }

  @Test
  @Timeout(240)
  void noColourWithNoColorAndNeitherColourNorStatusLineWhenPiped() throws Exception {
    plan();
    Path piped = dir.resolve("piped.txt");
    Path go = dir.resolve("go");
    String iterate = ChildJvm.shellCommand("iterate", "--quiet", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString());
    // On the terminal with NO_COLOR (empty counts as set); then, once the test has reset the
    // build, the same command piped (and without NO_COLOR).
    String cmd = "NO_COLOR= " + iterate + "; echo EXIT1=$?; while [ ! -e '" + go + "' ]; do sleep 0.05; done; "
        + iterate + " | cat > '" + piped + "'; echo EXIT2=$?; exec sleep 600";
    try (TmuxSession t = TmuxSession.start(80, 24, List.of("sh", "-c", "unset NO_COLOR COLUMNS LINES; " + cmd), Map.of())) {
      new OnDemandStep(ctl, "noisy").print("noisy line 1\n");
      t.await("the status line", WAIT, s -> s.contains("phase p | step 1/2 noisy") && s.contains("| noisy line 1"));
      String escaped = t.screenWithEscapes();
      assertFalse(escaped.contains("\033"), "NO_COLOR: no colour on the terminal:\n" + escaped.replace("\033", "\\e"));
      new OnDemandStep(ctl, "noisy").end();
      new OnDemandStep(ctl, "quiet").end();
      String screen = t.awaitText("EXIT1=", WAIT);
      assertTrue(screen.contains("EXIT1=0"), screen);
      assertFalse(t.screenWithEscapes().contains("\033"), "no colour for the phase-complete line either");

      // Build again from scratch, piped.
      Files.delete(rootfs.resolve("var/lib/sysroot-build-state.json"));
      try (var s = Files.list(ctl)) {
        for (Path p : s.toList()) Files.delete(p);
      }
      Files.writeString(go, "");
      new OnDemandStep(ctl, "noisy").print("noisy piped line\n");
      new OnDemandStep(ctl, "noisy").end();
      new OnDemandStep(ctl, "quiet").end();
      screen = t.awaitText("EXIT2=", WAIT);
      assertTrue(screen.contains("EXIT2=0"), screen);
      String out = Files.readString(piped);
      assertTrue(out.contains("INFO - Building noisy in "), "piped: the runner's lines themselves:\n" + out);
      assertTrue(out.contains("iterate: phase p complete"), out);
      assertFalse(out.contains("\033"), "piped: no escape sequence at all:\n" + out);
      assertFalse(out.contains("\r"), "piped: no status line:\n" + out);
      assertFalse(out.contains("phase p | step"), "piped: no status line:\n" + out);
    }
  }
}
