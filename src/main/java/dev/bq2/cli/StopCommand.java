package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.autopilot.DetachedAutopilot;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.LockHolder;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.StopRecord;
import dev.bq2.supervise.SupervisedRun;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * `bq2 stop`: records who stops (`stop.json` in the log folder) before any signal, then stops
 * the background runner's process group. An autopilot following that runner sees it end, says
 * who stopped it and exits by itself; a detached autopilot that does not (it was proposing) gets
 * SIGTERM. The runner records the step as interrupted, and the next `bq2 iterate` resumes there.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop the background runner and the detached autopilot (SIGTERM to their process groups); `bq2 iterate` resumes where they were.")
public class StopCommand implements Callable<Integer> {
  /** How long a detached autopilot gets to notice its runner ended and stop by itself. */
  static final Duration AUTOPILOT_GRACE = Duration.ofSeconds(60);
  /** How long we wait for the runner to record its interrupted step. */
  static final Duration RUNNER_WAIT = Duration.ofSeconds(60);

  @Mixin ContextOptions context;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = context.detect();
    RootfsLayout layout = ctx.layout();
    BackgroundRunner runners = BackgroundRunner.forRootfs(layout);
    Optional<SupervisedRun> autopilot = running(DetachedAutopilot.current(layout));
    Optional<SupervisedRun> runner = running(runners.attach());
    // An autopilot in a terminal (not detached) holds the lock too: between two runners it reads
    // the stop record and starts no next one.
    Optional<LockHolder> foreground = autopilot.isPresent() ? Optional.empty() : AutopilotLock.liveHolder(layout.logDir());
    if (autopilot.isEmpty() && runner.isEmpty() && foreground.isEmpty()) {
      System.out.println("stop: nothing is running for " + ctx.rootfs());
      return ExitCodes.OK;
    }
    StopRecord record = StopRecord.now("bq2 stop", runner.map(SupervisedRun::record).orElse(null));
    record.write(layout.logDir());
    if (runner.isPresent()) stopRunner(runner.get());
    foreground.ifPresent(h -> System.out.println("stop: the autopilot (pid " + h.pid()
        + ") stops before it starts another runner"));
    if (autopilot.isPresent()) {
      SupervisedRun a = autopilot.get();
      // Following its runner, it stops by itself once that ends (and journals why); otherwise
      // (proposing, asking an assistant) it would start the next runner: SIGTERM.
      Optional<RunOutcome> ended = runner.isPresent() ? a.await(AUTOPILOT_GRACE) : Optional.empty();
      if (ended.isEmpty()) {
        a.stop();
        System.out.println("stop: sent SIGTERM to the autopilot (pid " + a.record().pid() + ", process group)");
        ended = a.await(AUTOPILOT_GRACE);
      }
      System.out.println("stop: autopilot " + ended.map(o -> o.exitCode() == null ? o.detail() : "exited " + o.exitCode())
          .orElse("(pid " + a.record().pid() + ") is still stopping"));
      // A runner it started before it stopped (between our look and its end) is stopped too.
      Optional<SupervisedRun> late = running(runners.attach());
      if (late.isPresent() && (runner.isEmpty() || !late.get().record().log().equals(runner.get().record().log()))) {
        StopRecord.now("bq2 stop", late.get().record()).write(layout.logDir());
        stopRunner(late.get());
      }
    }
    System.out.println("stop: " + record.describe() + "; `bq2 iterate` resumes where it was");
    return ExitCodes.OK;
  }

  private static void stopRunner(SupervisedRun run) throws InterruptedException {
    run.stop();
    System.out.println("stop: sent SIGTERM to the runner (pid " + run.record().pid() + ", process group)");
    Optional<RunOutcome> o = run.await(RUNNER_WAIT);
    System.out.println("stop: runner " + o.map(x -> x.exitCode() == null ? x.detail() : "exited " + x.exitCode())
        .orElse("(pid " + run.record().pid() + ") is still stopping; its log is " + run.record().log()));
  }

  private static Optional<SupervisedRun> running(Optional<SupervisedRun> run) {
    return run.filter(r -> r.state() == SupervisedRun.State.RUNNING);
  }
}
