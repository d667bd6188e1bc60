package dev.bq2.cli;

import dev.bq2.annotate.Provenance;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.rootfs.RootfsLayout;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `bq2 overrides revert N`: takes back one applied delta, atomically. */
@Command(name = "revert", mixinStandardHelpOptions = true,
    description = {"Revert one applied delta (its number in `bq2 overrides history`, or its id).",
        "The overrides file is rewritten atomically and a `reverted` line is added to the history.",
        "Reverting twice changes nothing."})
public class OverridesRevertCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Parameters(paramLabel = "N", description = "Delta number (from `bq2 overrides history`) or id.")
  String which;

  @Override
  public Integer call() {
    RootfsLayout layout = context.detect().layout();
    Provenance.Delta d = Provenance.read(layout.overridesHistory()).find(which, layout.overridesHistory());
    if (d.reverted()) {
      System.out.println("overrides: #" + d.number() + " " + d.id() + " was already reverted; nothing changed");
      return 0;
    }
    if (d.pruned()) {
      // Its entry is gone with its step or phase; reverting would write a stale entry back.
      System.out.println("overrides: #" + d.number() + " " + d.id() + " was removed by `bq2 overrides prune`"
          + " (its step or phase left the plan); nothing changed");
      return 0;
    }
    new OverridesEditor(layout.overrides(), layout.overridesHistory()).revert(d.id());
    System.out.println("overrides: reverted #" + d.number() + " " + d.id() + " (" + d.phase()
        + (d.step() == null ? "" : "/" + d.step()) + ": " + d.change() + ") in " + layout.overrides());
    return 0;
  }
}
