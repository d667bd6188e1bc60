package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.json.Json;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, items 5 and 14, with real child JVMs and real kill -9: a finished run of the previous
 * phase is read for what it did (never taken for a run of the new target), and a runner killed on
 * its own (exit 137) is rerun once, then stops for a person when it happens again on the same step.
 */
class RunnerKilledTest {
  @TempDir Path dir;

  /** A step that marks each run (`run-1`, `run-2`, …) and then waits for the gate file. */
  static final String COUNTED_WAIT = "i=1; while [ -e \"$MARKS/run-$i\" ]; do i=$((i+1)); done\n"
      + "touch \"$MARKS/run-$i\"\nwhile [ ! -e \"$GATE\" ]; do sleep 0.05; done\necho released";

  @Test
  @Timeout(180)
  void aFinishedRunOfThePreviousPhaseCompletesThatPhaseAndTheNextTargetGoesOn() throws Exception {
    GatedStep g = GatedStep.in(dir, "one", "last");
    Path rootfs = g.rootfs(), marks = g.marks(), gate = g.gate();
    RootfsLayout layout = g.layout();
    addPhase(layout, "two", "echo two built");
    String[] iterate = iterateArgs(rootfs);

    ChildJvm first = ChildJvm.start(dir, dir.resolve("iterate-1"), iterate);
    try {
      ChildJvm.await("the last runner of phase one to start its step", Duration.ofSeconds(60),
          () -> Files.exists(marks.resolve("run-1")) || !first.process.isAlive());
      assertTrue(first.process.isAlive(), first.toString());
      RunRecord run = currentRun(layout);
      kill9(first.process.pid());
      assertEquals(137, first.waitFor(Duration.ofSeconds(30)));
      // The runner finishes on its own while no autopilot is there.
      Files.writeString(gate, "");
      ChildJvm.await("the runner of phase one to exit", Duration.ofSeconds(60), () -> Files.exists(Path.of(run.exitFile())));
      assertEquals("0", Files.readString(Path.of(run.exitFile())).trim());
      assertEquals("two", Status.compute(layout, true).nextPhase());

      ChildJvm second = ChildJvm.run(dir, dir.resolve("iterate-2"), Duration.ofSeconds(90), iterate);
      String out = second.stdout();
      assertEquals(ExitCodes.OK, second.exit(), second.toString());
      assertFalse(out.contains("without advancing"), out);
      assertTrue(out.contains("re-attached to runner pid " + run.pid() + " of phase one"), out);
      assertTrue(out.contains("phase one complete"), out);
      assertTrue(out.contains("phase two complete"), out);
      assertEquals(PhaseStatus.COMPLETE, Status.compute(layout, true).nextPhase());
      assertFalse(Files.exists(layout.logDir().resolve(BackgroundRunner.CURRENT)), "the handled run is forgotten");

      Path sessionsDir = rootfs.resolve("var/lib/sysroot-build-sessions");
      List<Path> sessions = Fixture.sessions(sessionsDir);
      Path one = sessions.stream().filter(p -> p.getFileName().toString().endsWith("-one")).findFirst().orElseThrow();
      Path two = sessions.stream().filter(p -> p.getFileName().toString().endsWith("-two")).findFirst().orElseThrow();
      assertEquals(2, sessions.size(), sessions.toString());
      List<String> oneTypes = Fixture.types(Fixture.events(one));
      assertEquals(List.of("session_started", "runner_started", "runner_reattached", "runner_exited", "phase_complete"),
          oneTypes.stream().filter(t -> !t.startsWith("step_")).toList(), "phase one's journal tells what its last run did");
      // Its step is journaled once, started (by whichever autopilot read it first) and finished
      // (by the one that re-attached), before the run's exit.
      assertEquals(1, oneTypes.stream().filter("step_started"::equals).count(), oneTypes.toString());
      assertEquals(1, oneTypes.stream().filter("step_finished"::equals).count(), oneTypes.toString());
      assertTrue(oneTypes.indexOf("step_finished") < oneTypes.indexOf("runner_exited"), oneTypes.toString());
      List<String> twoTypes = Fixture.types(Fixture.events(two));
      assertEquals(1, twoTypes.stream().filter("runner_started"::equals).count(), twoTypes.toString());
      assertFalse(twoTypes.contains("runner_reattached"), "phase one's run is never a run of phase two: " + twoTypes);
      assertEquals("phase_complete", twoTypes.get(twoTypes.size() - 1));
    } finally {
      first.process.destroyForcibly();
      Files.writeString(gate, "");
    }
  }

  @Test
  @Timeout(180)
  void aRunnerKilledOnItsOwnIsRerunOnce() throws Exception {
    GatedStep g = GatedStep.in(dir, "p", "hog");
    Path rootfs = g.rootfs(), marks = g.marks(), gate = g.gate();
    RootfsLayout layout = g.layout();

    ChildJvm iterate = ChildJvm.start(dir, dir.resolve("iterate"), iterateArgs(rootfs));
    try {
      ChildJvm.await("the first run of the step", Duration.ofSeconds(60),
          () -> Files.exists(marks.resolve("run-1")) || !iterate.process.isAlive());
      long runner = runnerPid(layout);
      kill9(runner); // as the OOM killer does: the runner alone, its wrapper lives on
      ChildJvm.await("the rerun of the step", Duration.ofSeconds(60),
          () -> Files.exists(marks.resolve("run-2")) || !iterate.process.isAlive());
      assertTrue(iterate.process.isAlive(), "a runner killed on its own does not stop the autopilot: " + iterate);
      Files.writeString(gate, "");
      assertEquals(ExitCodes.OK, iterate.waitFor(Duration.ofSeconds(60)), iterate.toString());
      assertTrue(iterate.stdout().contains("runner killed (exit 137: SIGKILL"), iterate.stdout());
      assertTrue(iterate.stdout().contains("starting it again once"), iterate.stdout());

      Path session = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0);
      List<JournalEvent> ev = Fixture.events(session);
      List<JournalEvent> killed = ev.stream().filter(e -> e.type().equals("runner_killed")).toList();
      assertEquals(1, killed.size(), Fixture.types(ev).toString());
      assertEquals("hog", killed.get(0).step());
      assertEquals(137, ((Number) killed.get(0).get("exit_code")).intValue());
      assertEquals(2, Fixture.types(ev).stream().filter("runner_started"::equals).count());
      assertEquals("phase_complete", Fixture.types(ev).get(ev.size() - 1));
    } finally {
      iterate.process.destroyForcibly();
      Files.writeString(gate, "");
    }
  }

  @Test
  @Timeout(180)
  void aRunnerKilledAgainOnTheSameStepStopsForAPerson() throws Exception {
    GatedStep g = GatedStep.in(dir, "p", "hog");
    Path rootfs = g.rootfs(), marks = g.marks(), gate = g.gate();
    RootfsLayout layout = g.layout();

    ChildJvm iterate = ChildJvm.start(dir, dir.resolve("iterate"), iterateArgs(rootfs));
    try {
      for (int n = 1; n <= 2; n++) {
        Path mark = marks.resolve("run-" + n);
        ChildJvm.await("run " + n + " of the step", Duration.ofSeconds(60), () -> Files.exists(mark) || !iterate.process.isAlive());
        assertTrue(iterate.process.isAlive(), iterate.toString());
        kill9(runnerPid(layout));
      }
      assertEquals(ExitCodes.NEEDS_PERSON, iterate.waitFor(Duration.ofSeconds(60)), iterate.toString());
      assertFalse(Files.exists(marks.resolve("run-3")), "no third run");
      String out = iterate.stdout();
      assertTrue(out.contains("stopped, needs a person: runner killed again in p/hog: runner killed (exit 137: SIGKILL"), out);
      Path session = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0);
      List<String> types = Fixture.types(Fixture.events(session));
      assertEquals(2, types.stream().filter("runner_killed"::equals).count(), types.toString());
      assertEquals("stopped", types.get(types.size() - 1));
    } finally {
      iterate.process.destroyForcibly();
      Files.writeString(gate, "");
    }
  }

  /** A rootfs whose one shell step marks each run in {@code marks} ({@link #COUNTED_WAIT}) and waits for {@code gate}. */
  record GatedStep(Path rootfs, Path marks, Path gate, RootfsLayout layout) {
    static GatedStep in(Path dir, String phase, String step) throws IOException {
      Path rootfs = dir.resolve("rootfs");
      Path marks = Files.createDirectories(dir.resolve("marks"));
      Path gate = dir.resolve("gate");
      RootfsLayout layout = Fixture.plan(rootfs, phase, Map.of("MARKS", marks.toString(), "GATE", gate.toString()),
          Fixture.Step.shell(step, COUNTED_WAIT));
      return new GatedStep(rootfs, marks, gate, layout);
    }
  }

  static String[] iterateArgs(Path rootfs) throws IOException {
    Path fsRoot = Files.createDirectories(rootfs.resolveSibling("empty-fs-root"));
    return new String[] {"iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--max-iterations", "5"};
  }

  /** Appends a host phase with one shell step to the plan Fixture wrote. */
  static void addPhase(RootfsLayout layout, String name, String content) throws IOException {
    ObjectNode plan = (ObjectNode) Json.tree(layout.plan(), Files.readString(layout.plan()), "test");
    ArrayNode phases = (ArrayNode) plan.get("phases");
    ObjectNode phase = phases.get(0).deepCopy();
    phase.put("name", name);
    phase.put("description", "test phase " + name);
    ObjectNode step = ((ArrayNode) phase.get("steps")).get(0).deepCopy();
    step.put("name", name + "-step");
    step.put("content", content);
    phase.putArray("steps").add(step);
    phases.add(phase);
    Files.writeString(layout.plan(), Json.pretty(plan));
  }

  static RunRecord currentRun(RootfsLayout layout) {
    return Json.read(layout.logDir().resolve(BackgroundRunner.CURRENT), RunRecord.class, "test");
  }

  /** The runner itself: the only child of the supervising wrapper named in the run record. */
  static long runnerPid(RootfsLayout layout) {
    long wrapper = currentRun(layout).pid();
    Optional<ProcessHandle> child = ProcessHandle.of(wrapper).flatMap(h -> h.children().findFirst());
    return child.orElseThrow(() -> new AssertionError("the wrapper " + wrapper + " has no runner child")).pid();
  }

  static void kill9(long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor());
  }
}
