package dev.bq2.cli;

import dev.bq2.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `bq2 fleet`: many rootfs builds at once on a batch cluster, one job per rootfs (docs/fleet.md). */
@Command(name = "fleet", mixinStandardHelpOptions = true,
    description = "Many rootfs builds at once on a batch cluster (Slurm), one job per rootfs, recorded in one fleet file.",
    subcommands = {FleetSummaryCommand.class})
public class FleetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.BAD_INPUT;
  }
}
