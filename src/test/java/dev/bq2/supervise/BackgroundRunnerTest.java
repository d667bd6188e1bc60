package dev.bq2.supervise;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Detached starts of real processes: output, exit capture, record, re-attach, pid reuse, lost runs. */
@Timeout(60)
class BackgroundRunnerTest {
  @TempDir Path dir;

  Path logDir() {
    return dir.resolve("rootfs/var/lib/sysroot-build-logs");
  }

  /** A runner that prints, waits for the gate file (so the test decides when it ends), then exits. */
  static List<String> gated(Path gate, int exit) {
    return List.of("sh", "-c", "echo hi; echo err >&2; while [ ! -e \"$1\" ]; do sleep 0.05; done; exit " + exit, "sh", gate.toString());
  }

  static long runnerChild(long wrapperPid) throws InterruptedException {
    long[] found = new long[1];
    Await.until("the runner under the wrapper", Duration.ofSeconds(10), () -> {
      found[0] = ProcStat.groupMembers(wrapperPid).stream().filter(p -> p != wrapperPid)
          .filter(p -> ProcStat.read(p).map(s -> s.ppid() == wrapperPid).orElse(false)).findFirst().orElse(0L);
      return found[0] != 0;
    });
    return found[0];
  }

  @Test
  void detachedStartCapturesOutputExitStatusAndRecord() throws Exception {
    Path gate = dir.resolve("go");
    BackgroundRunner br = new BackgroundRunner(logDir());
    SupervisedRun run = br.start("sysroot from/seed", gated(gate, 7), dir, Map.of());
    RunRecord r = run.record();

    assertTrue(run.log().getFileName().toString().matches("sysroot-runner-\\d{8}T\\d{6}Z-sysroot_from_seed\\.log"),
        run.log().toString());
    assertEquals(logDir(), run.log().getParent());
    assertEquals(run.log().resolveSibling(run.log().getFileName().toString().replace(".log", ".exit")), run.exitFile());

    assertEquals(ProcessHandle.current().pid(), r.autopilotPid());
    assertEquals(gated(gate, 7), r.command());
    assertEquals("sysroot from/seed", r.phase());

    // Once the runner runs, the wrapper has called setsid: pid and /proc start time name the
    // live wrapper, which leads its own session and group.
    long child = runnerChild(r.pid());
    ProcStat wrapper = ProcStat.read(r.pid()).orElseThrow();
    assertEquals(wrapper.startTime(), r.startTime());
    assertEquals(r.pid(), wrapper.session(), "own session (setsid)");
    assertEquals(r.pid(), wrapper.pgrp(), "own process group");
    // Field 22 read independently of our parser.
    Process cut = new ProcessBuilder("cut", "-d", " ", "-f", "22", "/proc/" + r.pid() + "/stat").start();
    assertEquals(Long.toString(r.startTime()), new String(cut.getInputStream().readAllBytes()).trim());
    assertEquals(0, cut.waitFor());

    // The runner: stdin from /dev/null, SIGHUP ignored (nohup), same group.
    assertEquals("/dev/null", Files.readSymbolicLink(Path.of("/proc", Long.toString(child), "fd", "0")).toString());
    String sigIgn = Files.readAllLines(Path.of("/proc", Long.toString(child), "status")).stream()
        .filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow().split("\\s+")[1];
    assertEquals(1, Long.parseLong(sigIgn, 16) & 1, "SIGHUP (bit 0) ignored: " + sigIgn);

    // Record written atomically beside the log and as the current-run pointer.
    assertEquals(r, Json.read(run.recordFile(), RunRecord.class, "test"));
    assertEquals(r, Json.read(br.currentFile(), RunRecord.class, "test"));
    assertEquals(SupervisedRun.State.RUNNING, run.state());
    assertTrue(run.await(Duration.ZERO).isEmpty());

    Files.writeString(gate, "");
    RunOutcome o = run.awaitExit();
    assertEquals(SupervisedRun.State.EXITED, o.state());
    assertEquals(7, o.exitCode());
    assertFalse(o.succeeded());
    assertEquals("7", Files.readString(run.exitFile()).trim());
    String log = Files.readString(run.log());
    assertTrue(log.contains("hi\n") && log.contains("err\n"), log);
    assertFalse(r.processAlive());
    // A re-attach after the end reads the exit file.
    SupervisedRun later = br.attach().orElseThrow();
    assertEquals(7, later.await(Duration.ZERO).orElseThrow().exitCode());
    br.forget(r);
    assertTrue(br.attach().isEmpty());
    assertTrue(Files.exists(run.recordFile()), "the run's own record stays");
  }

  @Test
  void reattachFindsTheLiveRunAndRefusesASecondOne() throws Exception {
    Path gate = dir.resolve("go");
    BackgroundRunner br = new BackgroundRunner(logDir());
    SupervisedRun first = br.start("p1", gated(gate, 0), dir, Map.of());
    try {
      SupervisedRun again = br.attach().orElseThrow();
      assertTrue(again.reattached());
      assertEquals(first.record(), again.record());
      assertEquals(SupervisedRun.State.RUNNING, again.state());
      Bq2Exception e = assertThrows(Bq2Exception.class, () -> br.start("p1", List.of("true"), dir, Map.of()));
      assertEquals(2, e.exitCode());
      assertTrue(e.getMessage().contains("pid " + first.record().pid()), e.getMessage());
      assertEquals(1, Files.list(logDir()).filter(p -> p.toString().endsWith(".log")).count(), "no second log/runner");
    } finally {
      Files.writeString(gate, "");
    }
    // The re-attached handle notices the exit by polling exit file and /proc.
    RunOutcome o = br.attach().orElseThrow().awaitExit();
    assertEquals(0, o.exitCode());
    assertTrue(o.succeeded());
    // Once ended, a new start is allowed and gets its own files.
    SupervisedRun next = br.start("p1", List.of("sh", "-c", "exit 3"), dir, Map.of());
    assertNotEquals(first.log(), next.log());
    assertEquals(3, next.awaitExit().exitCode());
  }

  @Test
  void aRecordWithTheWrongStartTimeCountsAsDead() throws Exception {
    Path gate = dir.resolve("go");
    BackgroundRunner br = new BackgroundRunner(logDir());
    SupervisedRun live = br.start("p1", gated(gate, 0), dir, Map.of());
    try {
      RunRecord r = live.record();
      // Same pid, different start time: what a reused pid looks like.
      RunRecord reused = new RunRecord(r.formatVersion(), r.phase(), r.pid(), r.startTime() + 1, r.bootId(),
          r.command(), r.cwd(), r.log(), r.exitFile(), r.startedAt(), r.autopilotPid());
      AtomicFile.writeJson(br.currentFile(), reused);
      assertTrue(ProcStat.read(r.pid()).orElseThrow().alive(), "the pid itself is alive");
      SupervisedRun attached = br.attach().orElseThrow();
      assertFalse(attached.record().processAlive());
      RunOutcome o = attached.await(Duration.ZERO).orElseThrow();
      assertEquals(SupervisedRun.State.LOST, o.state());
      assertTrue(o.detail().contains("runner lost"), o.detail());
      // Another boot: also dead.
      AtomicFile.writeJson(br.currentFile(), new RunRecord(r.formatVersion(), r.phase(), r.pid(), r.startTime(),
          "00000000-0000-0000-0000-000000000000", r.command(), r.cwd(), r.log(), r.exitFile(), r.startedAt(), r.autopilotPid()));
      assertEquals(SupervisedRun.State.LOST, br.attach().orElseThrow().state());
      AtomicFile.writeJson(br.currentFile(), r);
      assertEquals(SupervisedRun.State.RUNNING, br.attach().orElseThrow().state());
    } finally {
      Files.writeString(gate, "");
    }
    assertEquals(0, live.awaitExit().exitCode());
  }

  @Test
  void aRunKilledWithItsWrapperIsLost() throws Exception {
    Path gate = dir.resolve("never");
    BackgroundRunner br = new BackgroundRunner(logDir());
    SupervisedRun run = br.start("p1", gated(gate, 0), dir, Map.of());
    runnerChild(run.record().pid());
    Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + run.record().pid()).inheritIO().start();
    assertEquals(0, kill.waitFor());
    RunOutcome o = run.awaitExit();
    assertEquals(SupervisedRun.State.LOST, o.state());
    assertNull(o.exitCode());
    assertTrue(o.detail().contains("wrote no exit file"), o.detail());
    assertFalse(Files.exists(run.exitFile()));
    assertEquals(SupervisedRun.State.LOST, br.attach().orElseThrow().state());
  }

  @Test
  void stopTerminatesTheGroupAndTheExitIsStillRecorded() throws Exception {
    BackgroundRunner br = new BackgroundRunner(logDir());
    SupervisedRun run = br.start("p1", gated(dir.resolve("never"), 0), dir, Map.of());
    long child = runnerChild(run.record().pid());
    br.attach().orElseThrow().stop();
    RunOutcome o = run.awaitExit();
    assertEquals(SupervisedRun.State.EXITED, o.state(), o.detail());
    assertEquals(143, o.exitCode());
    Await.until("the runner to be gone", Duration.ofSeconds(10), () -> ProcStat.read(child).map(s -> !s.alive()).orElse(true));
  }

  @Test
  void logLevelIsInfoUnlessTheCallerSetsIt() throws Exception {
    BackgroundRunner br = new BackgroundRunner(logDir());
    SupervisedRun a = br.start("p1", List.of("sh", "-c", "echo level=$LOG_LEVEL"), dir, Map.of());
    assertEquals(0, a.awaitExit().exitCode());
    SupervisedRun b = br.start("p1", List.of("sh", "-c", "echo level=$LOG_LEVEL; echo x=$X"), dir, Map.of("LOG_LEVEL", "DEBUG", "X", "1"));
    assertEquals(0, b.awaitExit().exitCode());
    assertEquals("level=INFO\n", Files.readString(a.log()));
    assertEquals("level=DEBUG\nx=1\n", Files.readString(b.log()));
    List<String> logs = Files.list(logDir()).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
        .sorted().collect(Collectors.toList());
    assertEquals(2, logs.size(), logs.toString());
  }

  @Test
  void aMissingCommandExits127IntoTheLog() throws Exception {
    SupervisedRun run = new BackgroundRunner(logDir()).start("p1", List.of(dir.resolve("no-such-runner").toString()), dir, Map.of());
    assertEquals(127, run.awaitExit().exitCode());
    assertTrue(Files.readString(run.log()).contains("no-such-runner"));
  }
}
