package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.json.Json;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.Context;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 reports`: the newest failure reports of the detected rootfs, newest last. */
@Command(name = "reports", mixinStandardHelpOptions = true,
    description = "List the newest failure reports (time, phase/step, error, file).")
public class ReportsCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "10", description = "How many (default ${DEFAULT-VALUE}).")
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
    for (Path p : shown) {
      FailureReport r = ReportFiles.read(p);
      String where = (r.phase() == null ? "?" : r.phase().name()) + "/" + (r.step() == null ? "?" : r.step().name());
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("occurred_at", r.occurredAt());
        m.put("phase_step", where);
        m.put("error", r.error());
        m.put("report", p.toString());
        m.put("output_log", r.outputLog());
        System.out.println(Json.line(m));
      } else {
        System.out.println(TerminalText.escape(r.occurredAt() + "  " + where + "  " + r.error()));
        System.out.println("    " + p);
      }
    }
    return ExitCodes.OK;
  }
}
