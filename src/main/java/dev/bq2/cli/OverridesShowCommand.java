package dev.bq2.cli;

import dev.bq2.TerminalText;
import dev.bq2.annotate.OverridesText;
import dev.bq2.annotate.Provenance;
import dev.bq2.json.Json;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 overrides show`: what is in force, and where each entry came from. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Show the overrides in force and, for each entry, the deltas behind it (report, proposer, rationale) from the history file.")
public class OverridesShowCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = "--json", description = "Print {overrides, deltas, hand_edited_phases} as JSON.")
  boolean json;

  @Override
  public Integer call() {
    RootfsLayout layout = context.detect().layout();
    Overrides o = PlanFiles.readOverrides(layout.overrides());
    Provenance prov = Provenance.read(layout.overridesHistory());
    List<String> hand = prov.handEdited(o);
    if (json) {
      Map<String, Object> shown = new LinkedHashMap<>(); // stable key order
      shown.put("overrides", o);
      shown.put("deltas", prov.inForce());
      shown.put("hand_edited_phases", hand);
      System.out.print(Json.pretty(shown));
      return 0;
    }
    System.out.println("overrides: " + layout.overrides() + (o.isEmpty() ? " (none in force)" : ""));
    for (OverridesText.Change c : OverridesText.changes(o)) {
      System.out.println("  " + TerminalText.escape(c.line()));
      List<Provenance.Delta> from = prov.inForce(c.phase(), c.step());
      if (from.isEmpty()) System.out.println("      from: no delta in the history (edited by hand)");
      for (Provenance.Delta d : from) {
        System.out.println("      from #" + d.number() + " " + d.id() + " by " + d.proposer() + " (" + d.outcome() + "): " + TerminalText.escape(d.change()));
        if (d.report() != null) System.out.println("        report: " + d.report());
        if (d.rationale() != null) System.out.println("        why: " + TerminalText.escape(d.rationale()));
      }
    }
    for (String p : hand) {
      System.out.println("  note: phase " + p + " differs from what its deltas in " + layout.overridesHistory().getFileName()
          + " produce: edited by hand");
    }
    return 0;
  }
}
