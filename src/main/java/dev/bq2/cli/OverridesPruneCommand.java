package dev.bq2.cli;

import dev.bq2.TerminalText;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.PlanFiles;
import dev.bq2.plan.StaleOverrides;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.rootfs.RootfsLayout;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `bq2 overrides prune`: drops overrides entries for phases and steps the plan no longer has. */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Remove overrides entries for phases, steps or allowlisted packages the plan no longer has.",
        "Use it after the builder regenerated the plan. The overrides file is rewritten atomically.",
        "Each removal is a `pruned` line in the history; with nothing stale, nothing is written."})
public class OverridesPruneCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Override
  public Integer call() {
    RootfsLayout layout = context.detect().layout();
    BuildPlan plan = PlanFiles.readPlan(layout.plan());
    List<StaleOverrides.Entry> removed = new OverridesEditor(layout.overrides(), layout.overridesHistory()).prune(plan);
    if (removed.isEmpty()) {
      System.out.println("overrides: nothing stale in " + layout.overrides() + " (every entry names a phase and step of "
          + layout.plan() + ")");
      return 0;
    }
    for (StaleOverrides.Entry e : removed) {
      System.out.println(TerminalText.escape("overrides: removed " + e.describe()));
    }
    System.out.println("overrides: " + removed.size() + " stale entr" + (removed.size() == 1 ? "y" : "ies") + " removed from "
        + layout.overrides() + "; recorded in " + layout.overridesHistory());
    return 0;
  }
}
