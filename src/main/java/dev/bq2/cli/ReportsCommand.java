package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.Screen;
import dev.bq2.TerminalText;
import dev.bq2.Tone;
import dev.bq2.json.Json;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.TriedDeltas;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.Context;
import dev.bq2.state.Progress;
import dev.bq2.state.StateStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `bq2 reports`: the newest failure reports of the detected rootfs, newest last, each marked
 * `fixed` when a later run completed its step (the state's `completed_steps`: the runner marks
 * a step completed only after it built, and drops it before rebuilding it) or `open`.
 */
@Command(name = "reports", mixinStandardHelpOptions = true,
    description = {"List the newest failure reports (time, fixed or open, phase/step, error, file).",
        "A report is fixed when a later run completed its step; the delta that fixed it is named when the history knows it."})
public class ReportsCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "10", description = "How many (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "One JSON object per line.")
  boolean json;

  @Override
  public Integer call() {
    Context ctx = context.detect();
    List<Path> all = ReportFiles.list(ctx.layout().reportDir());
    List<Path> shown = all.subList(Math.max(0, all.size() - limit), all.size());
    if (shown.isEmpty()) {
      System.out.println("no failure reports in " + ctx.layout().reportDir());
      return ExitCodes.OK;
    }
    StateStore store = new StateStore(ctx.layout().state());
    Progress progress = store.exists() ? store.load().progress() : Progress.empty();
    Map<String, String> fixedBy = fixedBy(ctx.layout().overridesHistory());
    Screen screen = Screen.stdout();
    for (Path p : shown) {
      FailureReport r = ReportFiles.read(p);
      String phase = r.phase() == null ? null : r.phase().name();
      String step = r.step() == null ? null : r.step().name();
      String where = (phase == null ? "?" : phase) + "/" + (step == null ? "?" : step);
      boolean fixed = phase != null && step != null && progress.isCompleted(phase, step);
      String by = fixed ? fixedBy.get(p.toString()) : null;
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("occurred_at", r.occurredAt());
        m.put("phase_step", where);
        m.put("error", r.error());
        m.put("report", p.toString());
        m.put("output_log", r.outputLog());
        m.put("fixed", fixed);
        m.put("fixed_by", by);
        System.out.println(Json.line(m));
      } else {
        System.out.println(TerminalText.escape(r.occurredAt()) + "  " + screen.paint(fixed ? "fixed" : "open ", fixed ? Tone.FIX : Tone.ERROR)
            + "  " + TerminalText.escape(where + "  " + r.error()));
        System.out.println("    " + p);
        if (by != null) System.out.println("    fixed by " + TerminalText.escape(by));
      }
    }
    return ExitCodes.OK;
  }

  /** Report path → `proposer → change` of the delta applied for it whose outcome was `fixed`. */
  private static Map<String, String> fixedBy(Path history) {
    Map<String, HistoryEntry> applied = new LinkedHashMap<>();
    Map<String, String> out = new LinkedHashMap<>();
    for (HistoryEntry h : TriedDeltas.read(history)) {
      if ("applied".equals(h.event()) && h.report() != null) applied.put(h.id(), h);
      if ("outcome".equals(h.event()) && "fixed".equals(h.outcome()) && applied.containsKey(h.id())) {
        HistoryEntry a = applied.get(h.id());
        out.put(a.report(), a.proposer() + " → " + (a.delta() == null ? "?" : a.delta().summary()));
      }
    }
    return out;
  }
}
