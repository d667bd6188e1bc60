package dev.bq2.diagnose;

import dev.bq2.Bq2Exception;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a failure report (and its output log) into a {@link Diagnosis}: the decisive excerpt,
 * a failure class from the command and the error text, and a stable signature.
 */
public final class Diagnoser {
  private static final Pattern LINK_TEXT = Pattern.compile(
      "undefined reference to|multiple definition of|ld returned \\d+ exit status|collect2: error"
          + "|cannot find -l|relocation .* against|ld: .*error");
  private static final Pattern OOM_TEXT = Pattern.compile(
      "^Killed\\b|\\bKilled\\s*$|killed by signal 9|signal 9 \\[Killed\\]|out of memory|Cannot allocate memory"
          + "|virtual memory exhausted|internal compiler error: Killed");
  private static final Pattern CONFIGURE_TEXT = Pattern.compile(
      "configure: error:|CMake Error|unable to guess system type|cannot guess build type");
  private static final Pattern PATCH_TEXT = Pattern.compile("Hunk #\\d+ FAILED|Hunks failed to apply|Patch failed|patch does not apply");
  private static final Pattern DOWNLOAD_TEXT = Pattern.compile(
      "failed with HTTP|Checksum mismatch|Empty download|Missing source tarball|Could not resolve host|Connection refused");
  private static final Pattern NAMESPACE_TEXT = Pattern.compile(
      "(?i)user namespaces?|unshare|namespace.*(?:unavailable|not permitted|failed)|Operation not permitted.*(?:mount|pivot_root)|newuidmap|setgroups");
  private static final Pattern COMPILE_TEXT = Pattern.compile(
      "(?:^|\\s|:)(?:fatal )?error:|\\[-Werror|warnings being treated as errors|implicit declaration|not declared in this scope|does not name a type");

  private Diagnoser() {}

  /** Reads the report and its log; a log that is gone only means a thinner excerpt. */
  public static Diagnosis diagnose(Path reportFile) {
    return diagnose(reportFile, ReportFiles.read(reportFile));
  }

  /** As {@link #diagnose(Path)}, for a caller that has read {@code reportFile} already. */
  public static Diagnosis diagnose(Path reportFile, FailureReport r) {
    String where = reportFile.toString();
    if (r.phase() == null || r.phase().name() == null) {
      throw Bq2Exception.badInput(where + ": field phase.name: missing; a failure report names its phase (interop.md §4.2)");
    }
    if (r.step() == null || r.step().name() == null) {
      throw Bq2Exception.badInput(where + ": field step.name: missing; a failure report names its step (interop.md §4.2)");
    }
    Path log = resolveLog(reportFile, r.outputLog());
    LogExcerpt ex = null;
    if (log != null) {
      try {
        ex = LogExcerpt.read(log);
      } catch (IOException e) {
        ex = null;
      }
    }
    List<String> excerpt = ex == null ? List.of() : ex.lines();
    List<String> decisive = ex == null ? List.of() : ex.decisive();
    if (excerpt.isEmpty() && r.logTail() != null) excerpt = tailOf(r.logTail());
    if (decisive.isEmpty() && r.logTail() != null) {
      decisive = r.logTail().stream().filter(LogExcerpt::isDecisive).toList();
    }
    FailureClass cls = classify(r, excerpt);
    String sig = Signature.of(r.phase().name(), r.step().name(), cls, decisive, r.error());
    return new Diagnosis(reportFile, r.phase().name(), r.step().name(), cls, r.error(), r.exitCode(),
        log, excerpt, sig);
  }

  private static List<String> tailOf(List<String> t) {
    return t.size() <= LogExcerpt.MAX_LINES ? List.copyOf(t) : List.copyOf(t.subList(t.size() - LogExcerpt.MAX_LINES, t.size()));
  }

  /**
   * The report's `output_log`; when that path does not exist here (namespace-local paths,
   * a copied report) the log of the same name beside the report, which is where it is written.
   */
  static Path resolveLog(Path reportFile, String outputLog) {
    if (outputLog == null || outputLog.isBlank()) return null;
    Path p = Path.of(outputLog);
    if (Files.isRegularFile(p)) return p;
    Path dir = reportFile.toAbsolutePath().getParent();
    if (dir != null && p.getFileName() != null) {
      Path beside = dir.resolve(p.getFileName().toString());
      if (Files.isRegularFile(beside)) return beside;
    }
    return null;
  }

  /** The failure class, from exit code, error text, command and excerpt, most specific first. */
  public static FailureClass classify(FailureReport r, List<String> excerpt) {
    String error = r.error() == null ? "" : r.error();
    List<String> text = new ArrayList<>(excerpt);
    text.add(error);
    Integer exit = r.exitCode();
    String lowerErr = error.toLowerCase(Locale.ROOT);
    if (lowerErr.contains("stalled") || lowerErr.contains("no output for")) return FailureClass.STALLED;
    if (exit != null && (exit == 130 || exit == 143) || lowerErr.contains("interrupted")
        || lowerErr.contains("terminated by sigterm")) {
      return FailureClass.INTERRUPTED;
    }
    if (exit != null && exit == 137 || any(text, OOM_TEXT)) return FailureClass.OUT_OF_MEMORY;
    if (any(text, PATCH_TEXT) || lowerErr.contains("patch")) return FailureClass.PATCH;
    String strategy = r.step() == null ? null : r.step().strategy();
    if (any(List.of(error), DOWNLOAD_TEXT) || "download-sources".equals(strategy)
        || "extract-sources".equals(strategy) && error.contains("Missing source tarball")) {
      return FailureClass.DOWNLOAD;
    }
    if (r.command() == null && any(List.of(error), NAMESPACE_TEXT)) return FailureClass.NAMESPACE;
    List<String> argv = r.command() == null ? List.of() : commandWords(r.command());
    String tool = argv.isEmpty() ? "" : Path.of(argv.get(0)).getFileName().toString();
    boolean make = tool.equals("make") || tool.equals("gmake") || tool.equals("ninja");
    boolean cmake = tool.equals("cmake");
    if (tool.equals("configure") || tool.equals("bootstrap") || cmake && argv.contains("-S")
        || cmake && !argv.contains("--build") && !argv.contains("--install")) {
      return FailureClass.CONFIGURE;
    }
    if (make && argv.stream().anyMatch(a -> a.equals("install") || a.startsWith("install-"))
        || cmake && argv.contains("--install")) {
      return FailureClass.INSTALL;
    }
    if (any(text, CONFIGURE_TEXT) && !make) return FailureClass.CONFIGURE;
    if (any(text, LINK_TEXT)) return FailureClass.LINK;
    if (make || cmake || any(text, COMPILE_TEXT)) {
      return any(text, COMPILE_TEXT) || make || cmake ? FailureClass.COMPILE : FailureClass.UNKNOWN;
    }
    if (any(text, CONFIGURE_TEXT)) return FailureClass.CONFIGURE;
    return FailureClass.UNKNOWN;
  }

  /** The argv, or for `sh -c SCRIPT` the script's words, so a shell step that runs make counts as make. */
  public static List<String> commandWords(List<String> argv) {
    if (argv.size() >= 3) {
      String tool = Path.of(argv.get(0)).getFileName().toString();
      int c = argv.indexOf("-c");
      if ((tool.equals("sh") || tool.equals("bash") || tool.equals("dash")) && c > 0 && c + 1 < argv.size()) {
        return List.of(argv.get(c + 1).trim().split("\\s+"));
      }
    }
    return argv;
  }

  private static boolean any(List<String> lines, Pattern p) {
    for (String l : lines) {
      if (l != null && p.matcher(l).find()) return true;
    }
    return false;
  }
}
