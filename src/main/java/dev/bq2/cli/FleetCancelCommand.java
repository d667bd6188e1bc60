package dev.bq2.cli;

import dev.bq2.ExitCodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `bq2 fleet cancel`: the stop record first (who, pid, which job), then scancel. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = {"Cancel the jobs of the given ROOTFS folders (all of the fleet when none is given).",
        "As `bq2 stop` does, who cancels is written to the rootfs's stop.json first (user, pid, `fleet cancel, job N`); "
        + "then scancel, and Slurm sends SIGTERM to the job's processes: the autopilot stops its runner (its process group), "
        + "journals who cancelled it and releases its lock.",
        "Waits (up to 2 minutes) until each job has ended; `bq2 fleet status --resubmit` or `bq2 fleet submit` "
        + "later resumes where the build was."})
public class FleetCancelCommand implements Callable<Integer> {
  @Mixin FleetOptions fleet;

  @Option(names = "--no-wait", description = "Return once scancel has been sent.")
  boolean noWait;

  @Parameters(arity = "0..*", paramLabel = "ROOTFS", description = "Rootfs folders of the fleet (default: all).")
  List<Path> rootfs = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    fleet.recorded().cancel(rootfs, !noWait);
    return ExitCodes.OK;
  }
}
