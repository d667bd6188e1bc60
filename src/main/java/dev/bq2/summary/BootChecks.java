package dev.bq2.summary;

import dev.bq2.Bq2Exception;
import dev.bq2.boot.BootOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The boot checks of a period: each `<UTC>-boot/boot-outcome.json` under the session root. */
final class BootChecks {
  private BootChecks() {}

  /** Boot checks that ended (or, unfinished, started) in the period, oldest first; an unreadable outcome is listed as such. */
  static List<MorningSummary.BootCheck> read(Path sessionsDir, Instant since) {
    List<MorningSummary.BootCheck> out = new ArrayList<>();
    for (Path f : outcomes(sessionsDir)) {
      String session = f.getParent().getFileName().toString();
      String journal = f.resolveSibling("journal.md").toString();
      BootOutcome o;
      try {
        o = BootOutcome.read(f);
      } catch (Bq2Exception e) {
        Instant at = lastModified(f);
        if (at.isBefore(since)) continue;
        out.add(new MorningSummary.BootCheck(MorningSummary.stampOf(at), session, "unreadable", false, "unreadable outcome: " + e.getMessage(),
            null, null, null, null, null, null, null, journal));
        continue;
      }
      Instant at = MorningSummary.time(o.ended() != null ? o.ended() : o.started());
      if (at.equals(Instant.EPOCH)) at = lastModified(f);
      if (at.isBefore(since)) continue;
      BootOutcome.Diagnosis d = o.diagnosis();
      out.add(new MorningSummary.BootCheck(MorningSummary.stampOf(at), session, o.passed() ? "passed" : "failed", o.passed(),
          o.verdict(),
          d == null ? null : d.kind(), d == null ? null : d.lastSeen(), d == null ? null : d.likelyCause(),
          d == null ? null : d.fix(), o.accel(), stages(o), seconds(o), journal));
    }
    out.sort(Comparator.comparing(MorningSummary.BootCheck::at));
    return out;
  }

  /** `first-byte 0.4s, kernel 1.2s, init 3.0s, root-shell not reached`: each stage up to the first one not reached. */
  static String stages(BootOutcome o) {
    List<String> parts = new ArrayList<>();
    for (BootOutcome.Stage s : o.stages()) {
      if (!s.reached() || s.seconds() == null) {
        parts.add(s.stage() + " not reached");
        break;
      }
      parts.add(s.stage() + " " + SummaryText.duration(s.seconds()));
    }
    for (BootOutcome.Smoke s : o.smoke()) {
      parts.add("`" + s.command() + "` " + (s.exitCode() == null ? "unfinished" : "exit " + s.exitCode()) + " "
          + SummaryText.duration(s.seconds()));
    }
    return parts.isEmpty() ? null : String.join(", ", parts);
  }

  /** Seconds from start to end, when both are known. */
  private static Double seconds(BootOutcome o) {
    Instant a = MorningSummary.time(o.started());
    Instant b = MorningSummary.time(o.ended());
    if (a.equals(Instant.EPOCH) || b.equals(Instant.EPOCH)) return null;
    return Double.valueOf(String.format(Locale.ROOT, "%.1f", (b.toEpochMilli() - a.toEpochMilli()) / 1000.0));
  }

  private static List<Path> outcomes(Path sessionsDir) {
    if (!Files.isDirectory(sessionsDir)) return List.of();
    try (Stream<Path> s = Files.list(sessionsDir)) {
      return s.filter(Files::isDirectory).map(d -> d.resolve(BootOutcome.FILE)).filter(Files::isRegularFile)
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + sessionsDir, e);
    }
  }

  private static Instant lastModified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toInstant();
    } catch (IOException e) {
      return Instant.EPOCH;
    }
  }
}
