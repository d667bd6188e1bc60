package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.fleet.Fleet;
import dev.bq2.fleet.FleetRow;
import dev.bq2.json.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 fleet status`: one line per rootfs of the fleet, then a total. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"One line per rootfs of the fleet: job name and id, the job's state (squeue, else sacct), its elapsed time, "
        + "next_phase (from the rootfs's own state and plan), the last failure and the deltas in force; then a total line.",
        "With --resubmit, a job that ended without completing its plan (FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, "
        + "OUT_OF_MEMORY) is submitted again once, with the same options, recorded with resubmitted_from; "
        + "its autopilot resumes from the rootfs's files and rebuilds nothing that was done."})
public class FleetStatusCommand implements Callable<Integer> {
  @Mixin FleetOptions fleet;

  @Option(names = "--json", description = "Print the rows as one JSON array.")
  boolean json;

  @Option(names = "--resubmit", description = "Resubmit (once) each job that ended with its plan unfinished.")
  boolean resubmit;

  @Override
  public Integer call() throws InterruptedException {
    List<FleetRow> rows = fleet.recorded().status(resubmit);
    if (json) {
      System.out.print(Json.pretty(rows));
    } else {
      for (FleetRow r : rows) System.out.println(dev.bq2.TerminalText.escape(Fleet.line(r)));
      System.out.println(Fleet.total(rows));
    }
    return ExitCodes.OK;
  }
}
