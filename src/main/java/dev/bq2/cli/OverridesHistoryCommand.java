package dev.bq2.cli;

import dev.bq2.TerminalText;
import dev.bq2.annotate.Provenance;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 overrides history`: every applied delta, numbered for `revert N`. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "List every delta applied to the overrides (numbered for `bq2 overrides revert N`), its outcome and whether it was reverted.")
public class OverridesHistoryCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = "--json", description = "One JSON object per delta.")
  boolean json;

  @Override
  public Integer call() {
    RootfsLayout layout = context.detect().layout();
    Provenance prov = Provenance.read(layout.overridesHistory());
    if (!json) System.out.println("history: " + layout.overridesHistory() + " (" + prov.deltas().size() + " delta(s))");
    for (Provenance.Delta d : prov.deltas()) {
      if (json) {
        System.out.println(Json.line(d));
        continue;
      }
      System.out.println(TerminalText.escape(String.format("%3d  %s  %s%s  %s  by %s  %s%s%s", d.number(), d.id(), d.phase(),
          d.step() == null ? "" : "/" + d.step(), d.change(), d.proposer(), d.outcome(), d.reverted() ? "  REVERTED" : "",
          d.pruned() ? "  PRUNED (its step or phase left the plan)" : "")));
    }
    return 0;
  }
}
