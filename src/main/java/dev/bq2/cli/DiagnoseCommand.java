package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.DiagnosisJson;
import dev.bq2.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `bq2 diagnose`: classify one failure report and show its decisive log lines and signature. */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
    description = "Classify a failure report: failure class, decisive log lines, stable signature.")
public class DiagnoseCommand implements Callable<Integer> {
  @Option(names = "--report", required = true, paramLabel = "FILE", description = "The failure report (JSON).")
  Path report;

  @Option(names = "--json", description = "Print the diagnosis as one JSON object.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Diagnosis d = Diagnoser.diagnose(report);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.print(Json.pretty(DiagnosisJson.of(d)));
    } else {
      out.println("failure: " + d.phase() + "/" + d.step() + " " + d.failureClass().name().toLowerCase(Locale.ROOT)
          + (d.exitCode() == null ? "" : " (exit " + d.exitCode() + ")"));
      out.println("error: " + TerminalText.escape(d.error()));
      if (d.cause() != null) out.println("cause: " + TerminalText.escape(d.cause()));
      out.println("signature: " + d.signature());
      out.println("log: " + (d.outputLog() == null ? "(none)" : d.outputLog()));
      d.excerpt().forEach(l -> out.println("  | " + TerminalText.escape(l)));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
