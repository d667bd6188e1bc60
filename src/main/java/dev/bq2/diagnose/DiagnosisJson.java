package dev.bq2.diagnose;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@link Diagnosis} as printed by `bq2 diagnose --json` and `bq2 propose --json` (plain path strings, lower-case class). */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"report", "phase", "step", "failure_class", "error", "exit_code", "output_log", "signature", "cause", "excerpt"})
public record DiagnosisJson(
    String report, String phase, String step, String failureClass, String error, Integer exitCode,
    String outputLog, String signature, String cause, List<String> excerpt) {

  public static DiagnosisJson of(Diagnosis d) {
    return new DiagnosisJson(str(d.report()), d.phase(), d.step(), d.failureClass().name().toLowerCase(Locale.ROOT),
        d.error(), d.exitCode(), str(d.outputLog()), d.signature(), d.cause(), d.excerpt());
  }

  private static String str(Path p) {
    return p == null ? null : p.toString();
  }
}
