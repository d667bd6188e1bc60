package dev.bq2.diagnose;

import java.nio.file.Path;
import java.util.List;

/**
 * What one failure report means: where it failed, what kind of failure, the decisive log lines
 * (bounded), and a stable signature so "the same failure again" can be recognised across runs.
 *
 * @param excerpt decisive lines with a little context, oldest first, at most a few dozen, all
 *     from the failed command's output when the report says where that begins
 * @param signature stable hex digest of (phase, step, class, normalised root error lines)
 * @param cause the line that caused the exit (the first compiler/linker error, `configure:
 *     error:`, the failing make's "No rule to make target", ...), null when nothing is decisive
 */
public record Diagnosis(
    Path report,
    String phase,
    String step,
    FailureClass failureClass,
    String error,
    Integer exitCode,
    Path outputLog,
    List<String> excerpt,
    String signature,
    String cause) {

  /** A diagnosis whose cause is taken from its excerpt. */
  public Diagnosis(Path report, String phase, String step, FailureClass failureClass, String error,
      Integer exitCode, Path outputLog, List<String> excerpt, String signature) {
    this(report, phase, step, failureClass, error, exitCode, outputLog, excerpt, signature,
        LogExcerpt.cause(excerpt));
  }

  /** The same failure, classed as {@code c} by a caller that knows better (the autopilot stopped a stalled run). */
  public Diagnosis withClass(FailureClass c) {
    return new Diagnosis(report, phase, step, c, error, exitCode, outputLog, excerpt, signature, cause);
  }
}
