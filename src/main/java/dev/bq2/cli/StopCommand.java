package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.autopilot.DetachedAutopilot;
import dev.bq2.rootfs.Context;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.SupervisedRun;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * `bq2 stop`: stops a detached autopilot first (so it does not start another runner), then the
 * background runner's whole process group. The runner records the step as interrupted.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop the detached autopilot and the background runner (SIGTERM to their process groups).")
public class StopCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = context.detect();
    boolean stopped = stop("autopilot", DetachedAutopilot.current(ctx.layout()));
    stopped |= stop("runner", BackgroundRunner.forRootfs(ctx.layout()).attach());
    if (!stopped) System.out.println("stop: nothing is running for " + ctx.rootfs());
    return ExitCodes.OK;
  }

  private static boolean stop(String what, Optional<SupervisedRun> run) throws InterruptedException {
    if (run.isEmpty() || run.get().state() != SupervisedRun.State.RUNNING) return false;
    run.get().stop();
    System.out.println("stop: sent SIGTERM to the " + what + " (pid " + run.get().record().pid() + ", process group)");
    return true;
  }
}
