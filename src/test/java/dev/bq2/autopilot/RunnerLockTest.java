package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 6, with real child JVMs: the runner takes the rootfs's runner lock itself, so a
 * second `bq2 sysroot-runner` on the same rootfs is refused (exit 2, naming the holder's pid and
 * command) instead of building the same step in the same tree; `--dry-run` needs no lock; the
 * runner `iterate` starts holds it too, and `iterate` is not refused by its own runner.
 */
class RunnerLockTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void aSecondRunnerOnTheSameRootfsIsRefusedNamingTheHolder() throws Exception {
    RunnerKilledTest.GatedStep g = RunnerKilledTest.GatedStep.in(dir, "p", "wait");
    Path rootfs = g.rootfs(), marks = g.marks(), gate = g.gate();
    RootfsLayout layout = g.layout();
    String[] runner = {"sysroot-runner", "--rootfs", rootfs.toString()};

    ChildJvm first = ChildJvm.start(dir, dir.resolve("runner-1"), runner);
    try {
      ChildJvm.await("the first runner to build", Duration.ofSeconds(60),
          () -> Files.exists(marks.resolve("run-1")) || !first.process.isAlive());
      assertTrue(first.process.isAlive(), first.toString());

      ChildJvm second = ChildJvm.run(dir, dir.resolve("runner-2"), Duration.ofSeconds(60), runner);
      assertEquals(ExitCodes.BAD_INPUT, second.exit(), second.toString());
      String err = second.stderr();
      assertTrue(err.contains("another runner holds " + layout.state().resolveSibling("sysroot-runner.lock")), err);
      assertTrue(err.contains("pid " + first.process.pid() + " ("), err);
      assertTrue(err.contains("sysroot-runner --rootfs " + rootfs), "the holder's command: " + err);
      assertEquals(1, err.strip().lines().count(), "one line: " + err);
      assertFalse(Files.exists(marks.resolve("run-2")), "the step did not run a second time");

      ChildJvm dry = ChildJvm.run(dir, dir.resolve("runner-dry"), Duration.ofSeconds(60),
          "sysroot-runner", "--rootfs", rootfs.toString(), "--dry-run");
      assertEquals(ExitCodes.OK, dry.exit(), "a dry run needs no lock: " + dry);

      Files.writeString(gate, "");
      assertEquals(ExitCodes.OK, first.waitFor(Duration.ofSeconds(60)), first.toString());
      assertFalse(Files.exists(layout.state().resolveSibling("sysroot-runner.lock.json")), "the holder file goes with the holder");
      ChildJvm third = ChildJvm.run(dir, dir.resolve("runner-3"), Duration.ofSeconds(60), runner);
      assertEquals(ExitCodes.OK, third.exit(), "the lock is free again: " + third);
    } finally {
      first.process.destroyForcibly();
      Files.writeString(gate, "");
    }
  }

  @Test
  @Timeout(180)
  void aManualRunnerWhileIterateRunsIsRefusedAndIterateGoesOn() throws Exception {
    RunnerKilledTest.GatedStep g = RunnerKilledTest.GatedStep.in(dir, "p", "wait");
    Path rootfs = g.rootfs(), marks = g.marks(), gate = g.gate();
    RootfsLayout layout = g.layout();

    ChildJvm iterate = ChildJvm.start(dir, dir.resolve("iterate"), RunnerKilledTest.iterateArgs(rootfs));
    try {
      ChildJvm.await("iterate's runner to build", Duration.ofSeconds(60),
          () -> Files.exists(marks.resolve("run-1")) || !iterate.process.isAlive());
      long runnerPid = RunnerKilledTest.runnerPid(layout);

      ChildJvm manual = ChildJvm.run(dir, dir.resolve("manual"), Duration.ofSeconds(60),
          "sysroot-runner", "--rootfs", rootfs.toString(), "--phase", "p");
      assertEquals(ExitCodes.BAD_INPUT, manual.exit(), manual.toString());
      assertTrue(manual.stderr().contains("another runner holds") && manual.stderr().contains("pid " + runnerPid + " ("),
          manual.stderr());
      assertFalse(Files.exists(marks.resolve("run-2")), "the step did not run a second time");

      Files.writeString(gate, "");
      assertEquals(ExitCodes.OK, iterate.waitFor(Duration.ofSeconds(60)), "not refused by its own runner: " + iterate);
      assertEquals(PhaseStatus.COMPLETE, Status.compute(layout, true).nextPhase());
    } finally {
      iterate.process.destroyForcibly();
      Files.writeString(gate, "");
    }
  }
}
