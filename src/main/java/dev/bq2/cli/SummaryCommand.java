package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.json.Json;
import dev.bq2.rootfs.Context;
import dev.bq2.summary.MorningSummary;
import dev.bq2.summary.SummaryPeriod;
import dev.bq2.summary.SummaryText;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 summary`: what happened overnight, across the session journals, history, state and reports. */
@Command(name = "summary", mixinStandardHelpOptions = true,
    description = {"Summarise a period (the night) across the session journals: phases completed, failures seen, deltas in force "
        + "with their rules or assistants, what escalated and why, the next actions, tokens and cost, time in builds.",
        "Exit 0, or 2 for a bad --since."})
public class SummaryCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = "--since", paramLabel = "WHEN", defaultValue = "12h",
      description = "How far back: a duration (12h, 90m, 1h30m, 2d) or a UTC time (2026-11-30T06:00:00Z); default ${DEFAULT-VALUE}.")
  String since;

  @Option(names = "--session-dir", paramLabel = "DIR",
      description = "Where the session journals are (default: <repo>/session, else <rootfs>/var/lib/sysroot-build-sessions).")
  Path sessionDir;

  @Option(names = "--json", description = "Print the summary as one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    // A bad --since is refused before anything is detected or read.
    SummaryPeriod period = SummaryPeriod.parse(since, Instant.now());
    Context ctx = context.detect();
    MorningSummary s = MorningSummary.collect(ctx, Autopilot.sessionsDir(ctx, sessionDir), period);
    System.out.print(json ? Json.pretty(s) : SummaryText.render(s));
    return ExitCodes.OK;
  }
}
