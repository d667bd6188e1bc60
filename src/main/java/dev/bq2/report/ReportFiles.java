package dev.bq2.report;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import dev.bq2.state.Timestamps;

/** Report and log file naming (docs/formats.md#upstream-formats), writing, and finding the newest report. */
public final class ReportFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ReportFiles() {}

  /** Each run of non-alphanumerics becomes `_`, trimmed, lowercased. */
  public static String slug(String s) {
    return s.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "").toLowerCase(Locale.ROOT);
  }

  public static String hex8() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** `<TS>-<phaseSlug>-<stepSlug>-<hex8>.json` */
  public static String reportName(Instant at, String phase, String step) {
    return Timestamps.compact(at) + "-" + slug(phase) + "-" + slug(step) + "-" + hex8() + ".json";
  }

  /** `<TS>-<slug(phase-step)>-<hex8>.log` */
  public static String logName(Instant at, String phase, String step) {
    return Timestamps.compact(at) + "-" + slug(phase + "-" + step) + "-" + hex8() + ".log";
  }

  public static Path write(Path reportDir, Instant at, FailureReport report) {
    Path p = reportDir.resolve(reportName(at, report.phase().name(), report.step().name()));
    AtomicFile.writeJson(p, report);
    return p;
  }

  /** Reads a report; a `format_version` other than 1 is refused (we would misread its fields). */
  public static FailureReport read(Path file) {
    FailureReport r = Json.read(file, FailureReport.class, "fix or remove the report file");
    if (r.formatVersion() == null || r.formatVersion() != 1) {
      throw Bq2Exception.badInput(file + ": field format_version: expected 1, got " + r.formatVersion()
          + "; this report was written by a tool this bq2 does not know; move it out of the report folder");
    }
    return r;
  }

  /** Reports sorted oldest first; names start with a UTC timestamp, so name order is time order. */
  public static List<Path> list(Path reportDir) {
    if (!Files.isDirectory(reportDir)) return List.of();
    try (Stream<Path> s = Files.list(reportDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  public static Optional<Path> newest(Path reportDir) {
    List<Path> all = list(reportDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }
}
