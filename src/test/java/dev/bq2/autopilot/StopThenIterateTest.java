package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import dev.bq2.supervise.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 4 "must show": `bq2 stop` during a build, then `bq2 iterate`, completes the plan.
 * The interruption is no build failure: nothing is proposed, no attempt is counted, the runner
 * resumes where it was; the autopilot's log and the journal say who stopped it and when.
 */
class StopThenIterateTest {
  @TempDir Path dir;

  private static final String USER = System.getProperty("user.name");

  @Test
  @Timeout(180)
  void stopOfADetachedAutopilotThenIterateResumesAndCompletes() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path marks = Files.createDirectories(dir.resolve("marks"));
    Path gate = dir.resolve("gate");
    RootfsLayout layout = Fixture.plan(rootfs, "night", Map.of("MARKS", marks.toString(), "GATE", gate.toString()),
        Fixture.Step.shell("first", "echo built >> \"$MARKS/first-runs\""),
        // As long as the test wants: it waits for the gate file.
        Fixture.Step.shell("slow", "echo started >> \"$MARKS/slow-runs\"\nwhile [ ! -e \"$GATE\" ]; do sleep 0.05; done\necho released"));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    String[] context = {"--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString()};

    ChildJvm detach = ChildJvm.run(dir, dir.resolve("detach"), Duration.ofSeconds(60),
        cat(new String[] {"iterate", "--detach", "--quiet"}, context));
    assertEquals(0, detach.exit(), detach.toString());
    RunRecord autopilot = Json.read(layout.logDir().resolve("autopilot/current-run.json"), RunRecord.class, "test");
    ChildJvm.await("the runner to start the slow step", Duration.ofSeconds(90), () -> Files.exists(marks.resolve("slow-runs")));

    ChildJvm stop = ChildJvm.run(dir, dir.resolve("stop"), Duration.ofSeconds(120), cat(new String[] {"stop"}, context));
    assertEquals(0, stop.exit(), stop.toString());
    String by = "stopped by " + USER + " (bq2 stop, pid " + stop.process.pid() + ") at ";
    assertTrue(stop.stdout().contains(by), stop.toString());
    assertTrue(stop.stdout().contains("stop: runner exited 143"), stop.toString());
    assertTrue(stop.stdout().contains("stop: autopilot exited 143"), "the autopilot stopped by itself: " + stop);

    // The detached autopilot's log says who stopped its runner, and when (UTC, to the second).
    String autopilotLog = Files.readString(Path.of(autopilot.log()));
    assertTrue(Pattern.compile("iterate: #1 runner " + Pattern.quote(by) + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC; "
        + Pattern.quote("`bq2 iterate` resumes phase night where it was")).matcher(autopilotLog).find(), autopilotLog);
    assertFalse(autopilotLog.contains("no safe fix"), autopilotLog);
    Path session = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0);
    assertTrue(Files.readString(session.resolve("journal.md")).contains("- Status: runner " + by), "the journal says so at once");

    Files.writeString(gate, "");
    ChildJvm again = ChildJvm.run(dir, dir.resolve("again"), Duration.ofSeconds(120),
        cat(new String[] {"iterate", "--quiet", "--max-iterations", "1"}, context));
    assertEquals(0, again.exit(), again.toString());
    assertTrue(again.stdout().contains("#1 runner resumed"), again.stdout());
    assertTrue(again.stdout().contains("phase night complete"), again.stdout());
    assertEquals("complete", Status.compute(layout, true).nextPhase());
    assertEquals(List.of("built"), Files.readAllLines(marks.resolve("first-runs")), "the resumed run skipped the finished step");
    assertEquals(List.of("started", "started"), Files.readAllLines(marks.resolve("slow-runs")));

    List<Path> sessions = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions"));
    assertEquals(1, sessions.size(), "the resumed run continues the session: " + sessions);
    List<JournalEvent> ev = Fixture.events(sessions.get(0));
    List<String> types = Fixture.types(ev);
    assertTrue(types.stream().noneMatch(t -> t.equals("failure") || t.startsWith("proposal") || t.equals("stopped")),
        "an interruption is no failure: " + types);
    JournalEvent stopped = ev.stream().filter(e -> e.type().equals("runner_stopped")).findFirst().orElseThrow();
    assertTrue(stopped.message().startsWith("runner " + by), stopped.message());
    assertEquals(USER, stopped.get("stopped_by"));
    assertEquals(stop.process.pid(), ((Number) stopped.get("stopper_pid")).longValue());
    assertEquals("slow", stopped.step());
    assertEquals(List.of(1, 1), ev.stream().filter(e -> e.type().equals("runner_started")).map(JournalEvent::iteration).toList(),
        "the resumed runner is no new attempt: " + types);
    assertTrue(Files.readString(sessions.get(0).resolve("journal.md")).contains("`runner_stopped` #1 night/slow: runner " + by),
        Files.readString(sessions.get(0).resolve("journal.md")));
  }

  /**
   * A runner interrupted by a plain SIGTERM (no `bq2 stop`) while a foreground autopilot follows
   * it: the autopilot stops too, saying so; the next `iterate` resumes, nothing is proposed.
   */
  @Test
  @Timeout(180)
  void aSigtermNobodyRecordedStopsTheAutopilotAndTheNextIterateResumes() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path marks = Files.createDirectories(dir.resolve("marks"));
    Path gate = dir.resolve("gate");
    RootfsLayout layout = slowPlan(rootfs, marks, gate);
    String[] iterate = iterateArgs(rootfs);

    ChildJvm first = ChildJvm.start(dir, dir.resolve("first"), iterate);
    ChildJvm.await("the runner to start the slow step", Duration.ofSeconds(90),
        () -> Files.exists(marks.resolve("slow-runs")) || !first.process.isAlive());
    RunRecord run = Json.read(layout.logDir().resolve("current-run.json"), RunRecord.class, "test");
    Process kill = new ProcessBuilder("kill", "-s", "TERM", "--", "-" + run.pid()).inheritIO().start();
    assertEquals(0, kill.waitFor());

    assertEquals(143, first.waitFor(Duration.ofSeconds(90)), first.toString());
    assertTrue(Pattern.compile("#1 runner interrupted by SIGTERM \\(exit 143\\) at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, "
        + "not by `bq2 stop`; `bq2 iterate` resumes phase night where it was").matcher(first.stdout()).find(), first.toString());

    Files.writeString(gate, "");
    ChildJvm again = ChildJvm.run(dir, dir.resolve("again"), Duration.ofSeconds(120), iterate);
    assertEquals(0, again.exit(), again.toString());
    assertEquals("complete", Status.compute(layout, true).nextPhase());
    assertNoFailureAndOneAttempt(rootfs, marks);
  }

  /**
   * `bq2 stop` while no autopilot follows the runner (it was killed): the next `iterate` finds the
   * stopped run, journals who stopped it, and resumes in the same iteration.
   */
  @Test
  @Timeout(180)
  void aRunStoppedWhileNoAutopilotFollowedIsResumedByTheNextIterate() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path marks = Files.createDirectories(dir.resolve("marks"));
    Path gate = dir.resolve("gate");
    RootfsLayout layout = slowPlan(rootfs, marks, gate);
    String[] iterate = iterateArgs(rootfs);

    ChildJvm first = ChildJvm.start(dir, dir.resolve("first"), iterate);
    ChildJvm.await("the runner to start the slow step", Duration.ofSeconds(90),
        () -> Files.exists(marks.resolve("slow-runs")) || !first.process.isAlive());
    first.process.destroyForcibly(); // kill -9: the runner goes on alone
    first.process.waitFor();
    ChildJvm stop = ChildJvm.run(dir, dir.resolve("stop"), Duration.ofSeconds(120),
        "stop", "--rootfs", rootfs.toString(), "--fs-root", dir.resolve("empty-fs-root").toString());
    assertEquals(0, stop.exit(), stop.toString());
    assertTrue(stop.stdout().contains("stop: runner exited 143"), stop.toString());

    Files.writeString(gate, "");
    ChildJvm again = ChildJvm.run(dir, dir.resolve("again"), Duration.ofSeconds(120), iterate);
    assertEquals(0, again.exit(), again.toString());
    String by = "stopped by " + USER + " (bq2 stop, pid " + stop.process.pid() + ") at ";
    assertTrue(again.stdout().contains("#1 runner " + by), again.stdout());
    assertTrue(again.stdout().contains("that is no build failure: resuming phase night where it was"), again.stdout());
    assertTrue(again.stdout().contains("#1 runner resumed"), again.stdout());
    assertEquals("complete", Status.compute(layout, true).nextPhase());
    assertNoFailureAndOneAttempt(rootfs, marks);
  }

  /**
   * `bq2 stop` while a foreground autopilot waits for its assistant (no runner runs): the delta
   * it gets is applied, but no next runner starts; it says who stopped it. The next `iterate`
   * goes on from there and proves the delta.
   */
  @Test
  @Timeout(180)
  void stopWhileTheAutopilotProposesStartsNoNextRunner() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path marks = Files.createDirectories(dir.resolve("marks"));
    Path gate = dir.resolve("gate");
    RootfsLayout layout = Fixture.plan(rootfs, "night", Map.of(),
        Fixture.Step.shell("boom", "case \"${CPPFLAGS:-}\" in *-DBQ2_FIXED*) echo fixed ;; *) echo 'boom: needs BQ2_FIXED'; exit 1 ;; esac"));
    Path script = dir.resolve("assistant.sh");
    Files.writeString(script, "#!/bin/sh\ncat > /dev/null\ntouch '" + marks.resolve("asked") + "'\n"
        + "while [ ! -e '" + gate + "' ]; do sleep 0.05; done\n"
        + "printf '{\"phase\":\"night\",\"step\":\"boom\",\"configure_flags_add\":[],\"env\":{\"CPPFLAGS\":\"-DBQ2_FIXED\"},"
        + "\"patches_add\":[],\"build_dir\":null,\"clean_build\":null,\"rationale\":\"the log asks for it\",\"escalate\":false}\\n'\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    String[] iterate = {"iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--quiet",
        "--assistant", "command", "--assistant-command", script.toString()};

    ChildJvm first = ChildJvm.start(dir, dir.resolve("first"), iterate);
    ChildJvm.await("the autopilot to ask its assistant", Duration.ofSeconds(90),
        () -> Files.exists(marks.resolve("asked")) || !first.process.isAlive());
    ChildJvm stop = ChildJvm.run(dir, dir.resolve("stop"), Duration.ofSeconds(60),
        "stop", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString());
    assertEquals(0, stop.exit(), stop.toString());
    assertTrue(stop.stdout().contains("stop: the autopilot (pid " + first.process.pid() + ") stops before it starts another runner"),
        stop.toString());
    Files.writeString(gate, "");

    assertEquals(143, first.waitFor(Duration.ofSeconds(90)), first.toString());
    String by = "stopped by " + USER + " (bq2 stop, pid " + stop.process.pid() + ") at ";
    assertTrue(first.stdout().contains("iterate: autopilot " + by), first.toString());
    Path session = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0);
    List<String> types = Fixture.types(Fixture.events(session));
    assertEquals(1, types.stream().filter(t -> t.equals("runner_started")).count(), "no runner after the stop: " + types);
    assertEquals("stop_requested", types.get(types.size() - 1), types.toString());
    assertTrue(types.contains("applied"), types.toString());

    ChildJvm again = ChildJvm.run(dir, dir.resolve("again"), Duration.ofSeconds(120), iterate);
    assertEquals(0, again.exit(), again.toString());
    assertEquals("complete", Status.compute(layout, true).nextPhase());
  }

  /**
   * `bq2 stop` while a detached autopilot waits for its assistant: it gets SIGTERM at once (an
   * assistant may take minutes) and still says who stopped it, in its log and the journal.
   */
  @Test
  @Timeout(180)
  void stopOfADetachedAutopilotThatProposesEndsItAndItSaysWhoStoppedIt() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path marks = Files.createDirectories(dir.resolve("marks"));
    Path gate = dir.resolve("gate");
    RootfsLayout layout = Fixture.plan(rootfs, "night", Map.of(), Fixture.Step.shell("boom", "echo 'boom: no'\nexit 1"));
    Path script = dir.resolve("assistant.sh");
    Files.writeString(script, "#!/bin/sh\ncat > /dev/null\ntouch '" + marks.resolve("asked") + "'\n"
        + "while [ ! -e '" + gate + "' ]; do sleep 0.05; done\nexit 1\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    try {
      ChildJvm detach = ChildJvm.run(dir, dir.resolve("detach"), Duration.ofSeconds(60), "iterate", "--detach", "--quiet",
          "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--assistant", "command", "--assistant-command", script.toString());
      assertEquals(0, detach.exit(), detach.toString());
      RunRecord autopilot = Json.read(layout.logDir().resolve("autopilot/current-run.json"), RunRecord.class, "test");
      ChildJvm.await("the autopilot to ask its assistant", Duration.ofSeconds(90), () -> Files.exists(marks.resolve("asked")));

      ChildJvm stop = ChildJvm.run(dir, dir.resolve("stop"), Duration.ofSeconds(120),
          "stop", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString());
      assertEquals(0, stop.exit(), stop.toString());
      assertTrue(stop.stdout().contains("stop: sent SIGTERM to the autopilot (pid " + autopilot.pid() + ", process group)"), stop.toString());
      assertTrue(stop.stdout().contains("stop: autopilot exited 143"), stop.toString());
      String by = "stopped by " + USER + " (bq2 stop, pid " + stop.process.pid() + ") at ";
      String log = Files.readString(Path.of(autopilot.log()));
      assertTrue(log.contains("iterate: autopilot " + by), log);
      Path session = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0);
      JournalEvent last = Fixture.events(session).get(Fixture.events(session).size() - 1);
      assertEquals("stop_requested", last.type(), Fixture.types(Fixture.events(session)).toString());
      assertTrue(last.message().startsWith("autopilot " + by), last.message());
    } finally {
      Files.writeString(gate, ""); // releases an assistant left behind
    }
  }

  private static RootfsLayout slowPlan(Path rootfs, Path marks, Path gate) throws Exception {
    return Fixture.plan(rootfs, "night", Map.of("MARKS", marks.toString(), "GATE", gate.toString()),
        Fixture.Step.shell("first", "echo built >> \"$MARKS/first-runs\""),
        Fixture.Step.shell("slow", "echo started >> \"$MARKS/slow-runs\"\nwhile [ ! -e \"$GATE\" ]; do sleep 0.05; done\necho released"));
  }

  private String[] iterateArgs(Path rootfs) throws Exception {
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    return new String[] {"iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--quiet", "--max-iterations", "1"};
  }

  private static void assertNoFailureAndOneAttempt(Path rootfs, Path marks) throws Exception {
    assertEquals(List.of("built"), Files.readAllLines(marks.resolve("first-runs")), "the resumed run skipped the finished step");
    assertEquals(List.of("started", "started"), Files.readAllLines(marks.resolve("slow-runs")));
    List<Path> sessions = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions"));
    assertEquals(1, sessions.size(), sessions.toString());
    List<JournalEvent> ev = Fixture.events(sessions.get(0));
    List<String> types = Fixture.types(ev);
    assertTrue(types.stream().noneMatch(t -> t.equals("failure") || t.startsWith("proposal") || t.equals("stopped")), types.toString());
    assertEquals(1, types.stream().filter(t -> t.equals("runner_stopped")).count(), types.toString());
    assertEquals(List.of(1, 1), ev.stream().filter(e -> e.type().equals("runner_started")).map(JournalEvent::iteration).toList(),
        types.toString());
  }

  private static String[] cat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
