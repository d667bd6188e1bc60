package dev.bq2.supervise;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The autopilot (a real child JVM) is killed with kill -9; its runner lives on and is re-attached. */
class SurvivesAutopilotKillTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void runnerSurvivesKill9OfItsAutopilotAndIsReattached() throws Exception {
    Path logDir = dir.resolve("rootfs/var/lib/sysroot-build-logs");
    Path gate = dir.resolve("go");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process autopilot = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SupervisorChildMain.class.getName(), logDir.toString(), gate.toString())
        .redirectErrorStream(true).start();
    String ready;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(autopilot.getInputStream(), StandardCharsets.UTF_8))) {
      ready = r.readLine();
      assertNotNull(ready, "child exited early");
      assertTrue(ready.startsWith("READY "), ready);
      String[] f = ready.split(" ");
      long runnerPid = Long.parseLong(f[1]);
      long autopilotPid = Long.parseLong(f[2]);
      assertEquals(autopilot.pid(), autopilotPid);
      assertEquals(autopilotPid, Long.parseLong(f[3]));

      // While it lives, a second autopilot is refused, naming the holder.
      Bq2Exception held = assertThrows(Bq2Exception.class, () -> AutopilotLock.acquire(logDir));
      assertEquals(2, held.exitCode());
      assertTrue(held.getMessage().contains("pid " + autopilotPid), held.getMessage());

      Process kill = new ProcessBuilder("kill", "-9", Long.toString(autopilotPid)).inheritIO().start();
      assertEquals(0, kill.waitFor());
      assertEquals(137, autopilot.waitFor());

      BackgroundRunner br = new BackgroundRunner(logDir);
      SupervisedRun run = br.attach().orElseThrow();
      assertTrue(run.reattached());
      assertEquals(runnerPid, run.record().pid());
      assertEquals(autopilotPid, run.record().autopilotPid());
      assertEquals(SupervisedRun.State.RUNNING, run.state(), "the runner outlived its autopilot");
      assertTrue(run.record().processAlive());

      // No second runner while this one lives.
      Bq2Exception second = assertThrows(Bq2Exception.class,
          () -> br.start("p1", List.of("true"), dir, Map.of()));
      assertEquals(2, second.exitCode());
      assertTrue(second.getMessage().contains("pid " + runnerPid), second.getMessage());

      // The dead autopilot's lock is stale and taken over.
      try (AutopilotLock lock = AutopilotLock.acquire(logDir)) {
        assertNotNull(lock.tookOverFrom());
        assertEquals(autopilotPid, lock.tookOverFrom().pid());
        assertEquals(ProcessHandle.current().pid(), lock.holder().pid());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogFollower follower = LogFollower.fromEnd(run.log(), new PrintStream(out, true, StandardCharsets.UTF_8),
            false, Instant.parse(run.record().startedAt()), 64 * 1024);
        Files.writeString(gate, "");
        RunOutcome outcome = follower.follow(run);
        assertEquals(SupervisedRun.State.EXITED, outcome.state(), outcome.detail());
        assertEquals(5, outcome.exitCode());
        assertEquals("5", Files.readString(run.exitFile()).trim());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("finished"), out.toString(StandardCharsets.UTF_8));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("started"), "follows from the end, not from the start");
        assertEquals("started\nfinished\n", Files.readString(run.log()));
      }
    } finally {
      autopilot.destroyForcibly();
    }
  }

  /**
   * Ctrl-C signals the autopilot's whole foreground process group. The autopilot runs here in a
   * group of its own (setsid); the SIGINT sent to that group must not reach the runner, which
   * lives in its own session. (SIGHUP is ignored as well: see BackgroundRunnerTest.)
   */
  @Test
  @Timeout(60)
  void ctrlCToTheAutopilotsProcessGroupDoesNotReachTheRunner() throws Exception {
    Path logDir = dir.resolve("rootfs/var/lib/sysroot-build-logs");
    Path gate = dir.resolve("go");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process autopilot = new ProcessBuilder("setsid", java, "-cp", System.getProperty("java.class.path"),
        SupervisorChildMain.class.getName(), logDir.toString(), gate.toString())
        .redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(autopilot.getInputStream(), StandardCharsets.UTF_8))) {
      String ready = r.readLine();
      assertNotNull(ready, "child exited early");
      long autopilotPid = Long.parseLong(ready.split(" ")[2]);
      assertEquals(autopilotPid, ProcStat.read(autopilotPid).orElseThrow().pgrp(), "the stand-in autopilot leads its group");
      Process intr = new ProcessBuilder("kill", "-INT", "--", "-" + autopilotPid).inheritIO().start();
      assertEquals(0, intr.waitFor());
      assertEquals(130, autopilot.waitFor(), "the autopilot died of SIGINT");

      SupervisedRun run = new BackgroundRunner(logDir).attach().orElseThrow();
      assertEquals(SupervisedRun.State.RUNNING, run.state(), "the SIGINT did not reach the runner");
      Files.writeString(gate, "");
      RunOutcome o = run.awaitExit();
      assertEquals(5, o.exitCode(), o.detail());
    } finally {
      autopilot.destroyForcibly();
    }
  }
}
