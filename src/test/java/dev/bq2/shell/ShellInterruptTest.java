package dev.bq2.shell;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.autopilot.Journal;
import dev.bq2.autopilot.JournalEvent;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.ProcStat;
import dev.bq2.supervise.RunRecord;
import dev.bq2.supervise.RunnerLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 12 "must show": the real `bq2` shell on a real terminal (tmux), a real runner
 * building a step that waits for the test's gate file. Ctrl-C during `iterate` comes back to the
 * `bq2>` prompt and asks whether to stop the runner: Enter leaves it building (a later
 * `iterate` re-attaches and completes the phase), `y` stops it and every process of its groups.
 * Either way no lock is left held and the journal says what happened.
 */
class ShellInterruptTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String PROMPT = "bq2> ";
  private static final String QUESTION = "Stop the runner too? [y/N]";

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void enterLeavesTheRunnerBuildingAndTheNextIterateReattachesToIt() throws Exception {
    Rig rig = new Rig(dir);
    try (TmuxSession tmux = rig.shell()) {
      RunRecord run = rig.ctrlCWhileTheStepBuilds(tmux);
      tmux.sendKeys("Enter");
      String pane = tmux.awaitCount(PROMPT, 2, WAIT);
      assertTrue(pane.contains("the runner goes on in the background (pid " + run.pid()), pane);
      assertTrue(tmux.exitStatus().isEmpty(), "the shell is still running:\n" + pane);

      // Left building: the runner and its step still run, detached; the autopilot lock is free.
      assertTrue(ProcStat.isAlive(run.pid(), run.startTime(), run.bootId()), "the runner keeps building");
      assertTrue(ProcessHandle.of(rig.stepPid()).map(ProcessHandle::isAlive).orElse(false), "its step too");
      rig.assertAutopilotLockFree();
      assertEquals("left running", rig.lastEvent("interrupted").get("runner"));

      // A later iterate re-attaches to that very runner and completes the phase once the step may end.
      tmux.type("iterate --quiet");
      tmux.sendKeys("Enter");
      tmux.awaitText("re-attached to runner pid " + run.pid(), WAIT);
      Files.writeString(rig.gate, "");
      tmux.awaitText("phase slow complete", WAIT);
      pane = tmux.awaitCount(PROMPT, 3, WAIT);
      assertFalse(pane.matches("(?ms).*^\\(exit \\d+\\).*"), "no command failed, the interrupted one included:\n" + pane);

      rig.assertAutopilotLockFree();
      rig.assertRunnerLockFree();
      assertFalse(ProcStat.isAlive(run.pid(), run.startTime(), run.bootId()), "the runner has finished");
      assertFalse(Files.exists(rig.layout.logDir().resolve(BackgroundRunner.CURRENT)), "its run is handled and forgotten");

      tmux.sendKeys("C-d");
      assertEquals(0, tmux.awaitExit(WAIT), "Ctrl-D leaves the shell:\n" + tmux.lastCapture());
    }
  }

  @Test
  @Timeout(300)
  void yStopsTheRunnerWithEveryProcessOfItsGroupsAndLeavesNoLock() throws Exception {
    Rig rig = new Rig(dir);
    try (TmuxSession tmux = rig.shell()) {
      RunRecord run = rig.ctrlCWhileTheStepBuilds(tmux);
      long step = rig.stepPid();
      tmux.type("y");
      tmux.sendKeys("Enter");
      String pane = tmux.awaitCount(PROMPT, 2, WAIT);
      assertTrue(pane.contains("runner stopped (runner exited 143"), pane);
      assertTrue(tmux.exitStatus().isEmpty(), "the shell is still running:\n" + pane);

      // Bounded waits, not sleeps: a killed process stays in /proc until it is reaped.
      ChildJvm.await("nothing of the runner's process group left", WAIT, () -> ProcStat.groupMembers(run.pid()).isEmpty());
      ChildJvm.await("nothing of its step's process group left", WAIT, () -> ProcStat.groupMembers(step).isEmpty());
      assertFalse(ProcessHandle.of(step).map(ProcessHandle::isAlive).orElse(false));
      rig.assertAutopilotLockFree();
      rig.assertRunnerLockFree();
      assertFalse(Files.exists(rig.layout.logDir().resolve(BackgroundRunner.CURRENT)),
          "a run stopped on purpose is forgotten: the next iterate starts a fresh runner");
      JournalEvent stopped = rig.lastEvent("runner_stopped");
      assertEquals(143, ((Number) stopped.get("exit_code")).intValue(), stopped.toString());
      assertTrue(String.valueOf(stopped.get("by")).contains("Ctrl-C in the bq2 shell"), stopped.toString());

      // Ctrl-C at the prompt is bash's: the line is dropped, a new prompt comes, the shell stays.
      tmux.type("iterate --max-iter");
      tmux.sendKeys("C-c");
      tmux.awaitCount(PROMPT, 3, WAIT);
      tmux.type("exit");
      tmux.sendKeys("Enter");
      assertEquals(130, tmux.awaitExit(WAIT), "as bash's `exit`, the status of the last command (the interrupted iterate):\n"
          + tmux.lastCapture());
      assertEquals(1, Files.readString(rig.history).lines().filter(l -> l.contains("iterate")).count(),
          "the answer and the dropped line are not in the history:\n" + Files.readString(rig.history));
    }
  }

  /**
   * Ctrl-C while the assistant thinks (no runner to follow): the autopilot stops at its next safe
   * point, here before it would start the next runner with the delta the assistant then proposed.
   */
  @Test
  @Timeout(300)
  void ctrlCWhileTheAssistantThinksStopsAtTheNextSafePoint() throws Exception {
    AssistantRig rig = new AssistantRig(dir);
    try (TmuxSession tmux = rig.shell()) {
      tmux.awaitText(PROMPT, WAIT);
      tmux.type(rig.iterate());
      tmux.sendKeys("Enter");
      ChildJvm.await("the assistant to be asked", WAIT, () -> Files.exists(rig.assistantPid));

      tmux.sendKeys("C-c");
      tmux.awaitText("stopping at the next safe point", WAIT);
      assertTrue(tmux.exitStatus().isEmpty());
      Files.writeString(rig.answer, ""); // the assistant answers now
      String pane = tmux.awaitCount(PROMPT, 2, WAIT);
      assertTrue(pane.contains("command → slow/fails"), "the answer was applied first:\n" + pane);
      assertTrue(pane.contains("interrupted; no runner is running"), pane);
      assertFalse(pane.contains(QUESTION), "nothing is building: nothing to ask\n" + pane);

      List<String> types = rig.journal().stream().map(JournalEvent::type).toList();
      assertEquals(List.of("runner_started", "applied", "interrupted"),
          types.stream().filter(t -> List.of("runner_started", "applied", "interrupted").contains(t)).toList(),
          "no second runner was started after the Ctrl-C: " + types);
      rig.assertAutopilotLockFree();
      rig.assertRunnerLockFree();
      tmux.sendKeys("C-d");
      tmux.awaitExit(WAIT);
    }
  }

  /** A second Ctrl-C does not wait for the safe point: the assistant's process group is ended at once. */
  @Test
  @Timeout(300)
  void aSecondCtrlCEndsTheAssistantAtOnce() throws Exception {
    AssistantRig rig = new AssistantRig(dir);
    try (TmuxSession tmux = rig.shell()) {
      tmux.awaitText(PROMPT, WAIT);
      tmux.type(rig.iterate());
      tmux.sendKeys("Enter");
      ChildJvm.await("the assistant to be asked", WAIT, () -> Files.exists(rig.assistantPid));
      long assistant = Long.parseLong(Files.readString(rig.assistantPid).strip());

      tmux.sendKeys("C-c");
      tmux.awaitText("stopping at the next safe point", WAIT);
      tmux.sendKeys("C-c");
      String pane = tmux.awaitCount(PROMPT, 2, WAIT);
      assertTrue(pane.contains("interrupted; no runner is running"), pane);
      ChildJvm.await("the assistant's process group to be gone", WAIT, () -> ProcStat.groupMembers(assistant).isEmpty());
      assertFalse(Files.exists(rig.answer), "it never answered");
      assertEquals("interrupted", rig.journal().get(rig.journal().size() - 1).type());
      rig.assertAutopilotLockFree();
      rig.assertRunnerLockFree();
      assertTrue(tmux.exitStatus().isEmpty(), "the shell goes on");
    }
  }

  /** A rootfs whose one step waits for the gate file, and the shell started on it in tmux. */
  static class Rig {
    final Path dir;
    final Path rootfs;
    final Path gate;
    final Path stepPidFile;
    final Path history;
    final RootfsLayout layout;

    /** The step that waits for the gate file. */
    Rig(Path dir) throws IOException {
      this(dir, "wait", "echo $$ > \"$STEP_PID.tmp\" && mv \"$STEP_PID.tmp\" \"$STEP_PID\"\n"
          + "while [ ! -e \"$GATE\" ]; do sleep 0.05; done\necho released");
    }

    Rig(Path dir, String step, String script) throws IOException {
      this.dir = dir;
      this.rootfs = dir.resolve("rootfs");
      this.gate = dir.resolve("gate");
      this.stepPidFile = dir.resolve("step.pid");
      this.history = dir.resolve("history");
      this.layout = writePlan(rootfs, Map.of("GATE", gate.toString(), "STEP_PID", stepPidFile.toString()), step, script);
    }

    TmuxSession shell() throws IOException, InterruptedException {
      Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
      List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-Dbq2.history=" + history, "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2",
          "shell", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString()));
      // A wide pane: the runner's status line and paths stay on one line each.
      return TmuxSession.start(250, 50, cmd, Map.of("HOME", dir.toString()));
    }

    void awaitStepRunning(TmuxSession tmux) throws Exception {
      tmux.awaitText("runner started", WAIT);
      ChildJvm.await("the step to start", WAIT, () -> Files.exists(stepPidFile));
    }

    /** `iterate --quiet` at the prompt, then Ctrl-C once its runner builds the step: the shell asks about the runner. */
    RunRecord ctrlCWhileTheStepBuilds(TmuxSession tmux) throws Exception {
      tmux.awaitText(PROMPT, WAIT);
      tmux.type("iterate --quiet");
      tmux.sendKeys("Enter");
      awaitStepRunning(tmux);
      RunRecord run = currentRun();
      tmux.sendKeys("C-c");
      tmux.awaitText(QUESTION, WAIT);
      return run;
    }

    long stepPid() throws IOException {
      return Long.parseLong(Files.readString(stepPidFile).strip());
    }

    RunRecord currentRun() {
      return Json.read(layout.logDir().resolve(BackgroundRunner.CURRENT), RunRecord.class, "test");
    }

    /** Free: no holder recorded, and a new holder gets the OS lock at once. */
    void assertAutopilotLockFree() {
      assertFalse(Files.exists(layout.logDir().resolve(AutopilotLock.HOLDER)), "no autopilot lock holder is recorded");
      try (AutopilotLock lock = AutopilotLock.acquire(layout.logDir())) {
        assertNull(lock.tookOverFrom(), "the lock was released, not left stale");
      }
    }

    void assertRunnerLockFree() {
      Path lockDir = layout.state().getParent();
      assertFalse(Files.exists(lockDir.resolve(RunnerLock.HOLDER)), "no runner lock holder is recorded");
      try (RunnerLock lock = RunnerLock.acquire(lockDir)) {
        assertNotNull(lock.holder());
      }
    }

    /** Every event of every session, oldest first. */
    List<JournalEvent> journal() throws IOException {
      Path sessions = rootfs.resolve("var/lib/sysroot-build-sessions");
      List<JournalEvent> all = new ArrayList<>();
      try (Stream<Path> s = Files.list(sessions)) {
        for (Path session : s.sorted().toList()) all.addAll(Journal.readEvents(session.resolve("events.jsonl")));
      }
      return all;
    }

    JournalEvent lastEvent(String type) throws IOException {
      List<JournalEvent> all = journal();
      return all.stream().filter(e -> e.type().equals(type)).reduce((a, b) -> b)
          .orElseThrow(() -> new AssertionError("no " + type + " event in " + all));
    }
  }

  /**
   * A step that fails until CPPFLAGS=-DBQ2_OK is set, no rule that knows it, and an assistant
   * command that proposes it once the test writes the answer file (its pid file says it runs).
   */
  static final class AssistantRig extends Rig {
    final Path script;
    final Path assistantPid;
    final Path answer;

    AssistantRig(Path dir) throws IOException {
      super(dir, "fails",
          "if [ \"${CPPFLAGS:-}\" != -DBQ2_OK ]; then echo 'error: this step needs CPPFLAGS=-DBQ2_OK' >&2; exit 1; fi\necho ok");
      this.script = dir.resolve("assistant.sh");
      this.assistantPid = dir.resolve("assistant.sh.pid");
      this.answer = dir.resolve("assistant.sh.answer");
      Files.writeString(script, """
          #!/bin/sh
          cat > /dev/null
          echo $$ > "$0.pid.tmp" && mv "$0.pid.tmp" "$0.pid"
          while [ ! -e "$0.answer" ]; do sleep 0.05; done
          printf '{"phase":"slow","step":"fails","configure_flags_add":[],"env":{"CPPFLAGS":"-DBQ2_OK"},"patches_add":[],"build_dir":null,"clean_build":null,"rationale":"the step says so","escalate":false}\\n'
          """);
      Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    String iterate() {
      return "iterate --quiet --assistant command --assistant-command " + script;
    }
  }

  /** A one-phase (`slow`), one-step host plan in the existing tool's format. */
  static RootfsLayout writePlan(Path rootfs, Map<String, String> env, String stepName, String script) throws IOException {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("name", stepName);
    step.put("strategy", "shell");
    step.put("workdir", rootfs.toString());
    step.put("configure_flags", List.of());
    step.put("patches", List.of());
    step.put("env", Map.of());
    step.put("clean_build", false);
    step.put("content", script);
    Map<String, Object> phase = new LinkedHashMap<>();
    phase.put("name", "slow");
    phase.put("description", "a step that waits for the test");
    phase.put("namespace", "host");
    phase.put("install_prefix", "/usr");
    phase.put("destdir", rootfs.toString());
    phase.put("env", env);
    phase.put("steps", List.of(step));
    RootfsLayout layout = RootfsLayout.of(rootfs);
    Files.createDirectories(layout.plan().getParent());
    Files.writeString(layout.plan(), Json.pretty(Map.of("format_version", 2, "phases", List.of(phase))));
    return layout;
  }
}
