package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.annotate.OverridesDiff;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `bq2 overrides diff`: the overrides that turn one plan into another (docs/formats.md#upstream-formats). */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {"Print the overrides JSON that turns --base into --target (the existing tool's from_diff rules).",
        "Refuses (exit 2) what overrides cannot express; with --lossy, drops it with a warning as the existing tool does."})
public class OverridesDiffCommand implements Callable<Integer> {
  @Option(names = "--base", paramLabel = "PLAN", required = true, description = "The plan the overrides apply to.")
  Path base;

  @Option(names = "--target", paramLabel = "PLAN", required = true, description = "The plan the overrides must produce.")
  Path target;

  @Option(names = "--lossy", description = "Drop differences overrides cannot express (description, strategy, removed env keys, ...) with a warning.")
  boolean lossy;

  @Option(names = "--output", paramLabel = "FILE", description = "Also write the overrides to FILE (atomically).")
  Path output;

  @Override
  public Integer call() {
    BuildPlan b = PlanFiles.readPlan(base);
    BuildPlan t = PlanFiles.readPlan(target);
    Overrides o;
    try {
      o = lossy ? OverridesDiff.lossy(b, t, w -> System.err.println("bq2: warning: " + w)) : OverridesDiff.between(b, t);
    } catch (Bq2Exception e) {
      throw new Bq2Exception(e.exitCode(), base + " → " + target + ": " + e.getMessage());
    }
    if (output != null) PlanFiles.writeOverrides(output, o);
    System.out.print(Json.pretty(o));
    return 0;
  }
}
