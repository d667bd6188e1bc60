package dev.bq2.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LogFollowerTest {
  @TempDir Path dir;
  ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  void append(Path log, byte[] b) throws Exception {
    Files.write(log, b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  static final String RUNNER_SCRIPT = String.join("\n",
      "echo '2026-02-23T14:41:25.000001Z   INFO - Executing phase p1 (namespace=Host)'",
      "echo '2026-02-23T14:41:25.000002Z   INFO - Executing 2 build steps'",
      "echo '2026-02-23T14:41:25.000003Z   INFO - Skipping previously completed p1/zlib'",
      "echo '2026-02-23T14:41:25.000004Z   INFO - Building m4 in /workspace/m4-1.4.19 (phase=p1)'",
      "echo 'checking for gcc... gcc'",
      "echo '2026-02-23T14:41:25.000005Z   INFO - Finished in 1.2s (exit=0): make'",
      "echo '2026-02-23T14:41:25.000006Z   INFO - Finished m4'",
      "echo '2026-02-23T14:41:25.000007Z   INFO - Building bison in /workspace/bison (phase=p1)'",
      "echo 'gram.c:12: error: boom' >&2",
      "echo '2026-02-23T14:41:25.000008Z  ERROR - Command failed (2): make -j2'",
      "echo '2026-02-23T14:41:25.000009Z   INFO - Failed phase p1 in 3.000s'",
      "exit 1");

  @Test
  void plainModePrintsEveryLineOnceInOrderAndNoticesTheExit() throws Exception {
    SupervisedRun run = new BackgroundRunner(dir).start("p1", List.of("sh", "-c", RUNNER_SCRIPT), dir, Map.of());
    LogFollower f = new LogFollower(run.log(), 0, out, false, Instant.parse(run.record().startedAt()));
    RunOutcome o = f.follow(run);
    assertEquals(1, o.exitCode());
    assertEquals(Files.readString(run.log()), printed());
    RunnerProgress p = f.progress();
    assertEquals("p1", p.phase());
    assertEquals("bison", p.step());
    assertEquals(1, p.stepsDone(), "m4 finished (zlib was skipped: not part of this run's 2 steps)");
    assertEquals(2, p.stepsTotal());
    assertEquals("failed", p.phaseResult());
  }

  @Test
  void terminalModeDrawsOneStatusLineInPlaceAndKeepsErrors() throws Exception {
    // Issue 10 item 8 changed the status line: step n/m (not done/total), the step's own elapsed
    // time, and it is taken off the screen when the run ends (no leftover line).
    SupervisedRun run = new BackgroundRunner(dir).start("p1", List.of("sh", "-c", RUNNER_SCRIPT), dir, Map.of());
    run.awaitExit(); // the whole log first: what is drawn must not depend on when we look
    LogFollower f = new LogFollower(run.log(), 0, out, true, Instant.parse(run.record().startedAt()));
    f.attempt(2);
    f.width(200);
    f.pump();
    f.finish();
    String s = printed();
    assertTrue(s.contains("\r\033[K"), s);
    assertTrue(s.matches("(?s).*phase p1 \\| step 2/2 bison \\| \\d+:\\d\\d \\| .*"),
        "m:ss, since the run started at most (the log's stamps are from February): " + s);
    assertTrue(s.contains("| attempt 2 | phase failed"), s);
    assertTrue(s.contains("ERROR - Command failed (2): make -j2\n"), "errors stay on screen: " + s);
    assertFalse(s.contains("checking for gcc... gcc\n"), "ordinary lines only in the status line");
    assertTrue(s.endsWith("\r\033[K"), "the status line is taken off at the end: " + s);
    for (String drawn : s.split("\r\033\\[K")) {
      assertTrue(drawn.length() < 200, "never wider than the terminal: " + drawn);
    }
  }

  @Test
  void theStatusLineShowsTheStepsOwnOutputCutToTheWidth() throws Exception {
    Path log = dir.resolve("sysroot-runner-x.log");
    Instant start = Instant.now();
    Path stepLog = dir.resolve(dev.bq2.report.ReportFiles.logName(start, "p1", "bison"));
    Files.writeString(stepLog, "Step p1/bison (strategy shell) in /w\n");
    Files.writeString(log, "2026-02-23T14:41:25.000001Z   INFO - Executing phase p1 (namespace=Host)\n"
        + "2026-02-23T14:41:25.000002Z   INFO - Executing 3 build steps\n"
        + "2026-02-23T14:41:25.000004Z   INFO - Building bison in /w (phase=p1)\n");
    LogFollower f = new LogFollower(log, 0, out, true, start);
    f.width(70);
    f.pump();
    assertEquals(Optional.of(stepLog), f.stepLog());
    append(stepLog, ("gram.y: conflicts: 1 shift/reduce, and a very long tail that cannot fit in sixty columns\n"
        + "\033]0;title\007compiling\tparse.c\n").getBytes(StandardCharsets.UTF_8));
    f.pump();
    String s = printed();
    String last = s.substring(s.lastIndexOf("\r\033[K") + 4);
    assertTrue(last.startsWith("phase p1 | step 1/3 bison | "), last);
    assertTrue(last.matches("phase p1 \\| step 1/3 bison \\| 0:0\\d \\| attempt 1 \\| \\\\e]0;title\\\\x07compili…"), last);
    assertTrue(last.contains("\\e]0;title"), "the step's escapes are shown escaped, never sent: " + last);
    assertEquals(69, last.length(), "cut to one column less than the terminal: " + last);
    assertFalse(s.contains("conflicts: 1 shift/reduce, and a very long tail that cannot fit in sixty columns"), s);
  }

  @Test
  void partialLinesAndSplitUtf8AreJoined() throws Exception {
    Path log = dir.resolve("x.log");
    LogFollower f = new LogFollower(log, 0, out, false, null);
    f.pump();
    assertEquals("", printed(), "a missing log is not an error yet");
    byte[] euro = "€\n".getBytes(StandardCharsets.UTF_8);
    append(log, "one\ntw".getBytes(StandardCharsets.UTF_8));
    f.pump();
    assertEquals("one\n", printed());
    append(log, new byte[] {'o', ' ', euro[0]});
    f.pump();
    assertEquals("one\n", printed());
    append(log, new byte[] {euro[1], euro[2], euro[3]});
    f.pump();
    assertEquals("one\ntwo €\n", printed());
    append(log, "tail without newline".getBytes(StandardCharsets.UTF_8));
    f.finish();
    assertEquals("one\ntwo €\ntail without newline\n", printed());
  }

  @Test
  void fromEndPrimesFromTheTailOnlyAndPrintsOnlyNewLines() throws Exception {
    Path log = dir.resolve("big.log");
    StringBuilder sb = new StringBuilder("2026-02-23T14:41:25.000001Z   INFO - Executing phase OLD (namespace=Host)\n");
    String filler = "x".repeat(99) + "\n";
    for (int i = 0; i < 20_000; i++) sb.append(filler); // ~2 MB before the tail
    sb.append("2026-02-23T14:41:25.000001Z   INFO - Executing phase NEW (namespace=Seed)\n");
    sb.append("2026-02-23T14:41:25.000001Z   INFO - Building gcc in /w (phase=NEW)\n");
    Files.writeString(log, sb.toString());
    LogFollower f = LogFollower.fromEnd(log, out, false, null, 64 * 1024);
    assertEquals("NEW", f.progress().phase());
    assertEquals("gcc", f.progress().step());
    assertEquals(Files.size(log), f.offset());
    f.pump();
    assertEquals("", printed());
    append(log, "fresh\n".getBytes(StandardCharsets.UTF_8));
    f.pump();
    assertEquals("fresh\n", printed());
  }

  @Test
  void progressReadsBareAndPrefixedLines() {
    RunnerProgress p = new RunnerProgress();
    p.accept("Executing phase host-setup (namespace=Host)");
    p.accept("Building zlib in (no chdir) (phase=host-setup)");
    assertEquals("host-setup", p.phase());
    assertEquals("zlib", p.step());
    assertFalse(p.accept("2026-02-23T14:41:25.685363Z   INFO - Finished in 0.5ms (exit=0): true"));
    assertEquals(0, p.stepsDone(), "`Finished in` is a command, not a step");
    assertTrue(p.accept("2026-02-23T14:41:25.685363Z  ERROR - Command failed (1): make"));
    assertTrue(p.accept("Unhandled exception: boom (Exception)"));
    p.accept("2026-02-23T14:41:25.685363Z   INFO - Completed phase host-setup in 1.0ms");
    assertEquals("completed", p.phaseResult());
  }
}
