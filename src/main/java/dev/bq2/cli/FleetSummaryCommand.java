package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.fleet.FleetBuild;
import dev.bq2.fleet.FleetFile;
import dev.bq2.fleet.FleetRecord;
import dev.bq2.json.Json;
import dev.bq2.rootfs.Context;
import dev.bq2.summary.FleetSummary;
import dev.bq2.summary.FleetSummaryText;
import dev.bq2.summary.MorningSummary;
import dev.bq2.summary.SummaryPeriod;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `bq2 fleet summary`: the morning summary of every rootfs in the fleet file, read from the
 * rootfs's own files (sessions, state, overrides history, reports); no batch system is asked.
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
    description = {"Summarise a period (the night) for every rootfs of the fleet: phases completed, failures and what became of "
        + "them, deltas in force with their rules or assistants, escalations, next actions, time in builds, tokens and cost; "
        + "then the totals. Reads only the rootfs's files; a rootfs that vanished or cannot be read is one line.",
        "Exit 0, or 2 for a bad --since or fleet file."})
public class FleetSummaryCommand implements Callable<Integer> {
  @Option(names = "--since", paramLabel = "WHEN", defaultValue = "12h",
      description = "How far back: a duration (12h, 90m, 1h30m, 2d) or a UTC time (2026-11-30T06:00:00Z); default ${DEFAULT-VALUE}.")
  String since;

  @Option(names = "--fleet", paramLabel = "FILE", defaultValue = FleetFile.DEFAULT,
      description = "The fleet file `bq2 fleet submit` wrote (default ./${DEFAULT-VALUE}).")
  Path fleet;

  @Option(names = "--json", description = "Print the summary as one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    SummaryPeriod period = SummaryPeriod.parse(since, Instant.now());
    FleetFile file = new FleetFile(fleet);
    FleetRecord record = file.readExisting();
    // A job starts in the folder it was submitted from, next to the fleet file: relative options resolve there.
    Path jobDir = file.path().getParent();
    List<FleetSummary.Member> members = new ArrayList<>();
    for (FleetBuild b : record.current()) {
      Path rootfs = Path.of(b.rootfs());
      members.add(new FleetSummary.Member(rootfs, b.name(), b.jobId(), () -> summary(b, jobDir, period)));
    }
    FleetSummary s = FleetSummary.collect(file.path(), members, period);
    System.out.print(json ? Json.pretty(s) : FleetSummaryText.render(s));
    return ExitCodes.OK;
  }

  /**
   * One rootfs's summary, its journals found the way its job's `bq2 iterate` wrote them: the
   * recorded iterate options (`--repo`, `--session-dir`, `--status-command`) parsed by iterate's own model.
   */
  private static MorningSummary summary(FleetBuild b, Path jobDir, SummaryPeriod period) {
    IterateCommand iterate = new IterateCommand();
    List<String> args = new ArrayList<>(b.options());
    args.addAll(List.of("--rootfs", b.rootfs()));
    try {
      new CommandLine(iterate).parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw Bq2Exception.badInput("its recorded iterate options " + b.options() + " do not parse: " + e.getMessage());
    }
    Context ctx = iterate.context.detect(jobDir);
    Path sessions = iterate.sessionDir == null ? null : jobDir.resolve(iterate.sessionDir);
    return MorningSummary.collect(ctx, Autopilot.sessionsDir(ctx, sessions), period);
  }
}
