package dev.bq2.cli;

import dev.bq2.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `bq2 fleet submit|status|cancel`: many rootfs builds at once on a batch cluster (Slurm), from one terminal. */
@Command(name = "fleet", mixinStandardHelpOptions = true,
    description = {"Run many rootfs builds at once on a Slurm cluster: one batch job per rootfs, each `bq2 iterate --all-phases`.",
        "The jobs are recorded in the fleet file (--fleet FILE, default ./bq2-fleet.json); `status`, `cancel` and `summary` act on it."},
    subcommands = {FleetSubmitCommand.class, FleetStatusCommand.class, FleetCancelCommand.class, FleetSummaryCommand.class})
public class FleetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.BAD_INPUT;
  }
}
