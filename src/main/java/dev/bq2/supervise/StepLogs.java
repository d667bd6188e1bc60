package dev.bq2.supervise;

import dev.bq2.EditDistance;
import dev.bq2.Bq2Exception;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.report.ReportFiles;
import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a step's logs by their names, `<UTC yyyyMMddTHHmmss.SSSZ>-<slug(phase-step)>-<hex8>.log`
 * (docs/formats.md#step-logs-sysroot-build-logs): ours, one per step attempt, in the log folder; the existing tool's, one per
 * command, in the report folder. The runner never says which file it writes, so the name is
 * the only link between a `Building <step>` line and the step's output.
 */
public final class StepLogs {
  private static final Pattern NAME = Pattern.compile("^(\\d{8}T\\d{6}\\.\\d{3}Z)-(.+)-[0-9a-f]{8}\\.log$");

  private StepLogs() {}

  /**
   * The newest log of {@code phase/step} in {@code dirs} started at or after {@code notBefore}
   * (null: any), i.e. the one being written now when a run of that step is under way.
   */
  public static Optional<Path> newest(List<Path> dirs, String phase, String step, Instant notBefore) {
    String slug = ReportFiles.slug(phase + "-" + step);
    String since = notBefore == null ? "" : Timestamps.compact(notBefore);
    Path best = null;
    for (Path dir : dirs) {
      if (dir == null || !Files.isDirectory(dir)) continue;
      try (Stream<Path> s = Files.list(dir)) {
        Optional<Path> p = s.filter(f -> {
          Matcher m = NAME.matcher(f.getFileName().toString());
          return m.matches() && m.group(2).equals(slug) && m.group(1).compareTo(since) >= 0;
        }).max(Comparator.comparing(f -> f.getFileName().toString()));
        if (p.isPresent() && (best == null || p.get().getFileName().toString().compareTo(best.getFileName().toString()) > 0)) {
          best = p.get();
        }
      } catch (IOException e) {
        // an unreadable folder holds nothing we can show
      }
    }
    return Optional.ofNullable(best);
  }

  /** A step's newest log, and which step it is (`phase/step`). */
  public record Found(String phase, String step, Path log) {
    public String name() {
      return phase + "/" + step;
    }
  }

  /**
   * The newest log of the plan step named {@code query} (`STEP` or `PHASE/STEP`; a step name in
   * several phases means the one built last). A name the plan does not have is bad input naming
   * the closest ones; a step without a log yet is bad input too.
   */
  public static Found find(BuildPlan plan, Path planFile, List<Path> dirs, String query) {
    List<String[]> matches = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (BuildPhase phase : plan.phases()) {
      for (BuildStep step : phase.steps()) {
        all.add(phase.name() + "/" + step.name());
        boolean hit = query.contains("/") ? query.equals(phase.name() + "/" + step.name()) : query.equals(step.name());
        if (hit) matches.add(new String[] {phase.name(), step.name()});
      }
    }
    if (matches.isEmpty()) {
      throw Bq2Exception.badInput("no step " + query + " in the plan " + planFile + "; closest: "
          + String.join(", ", closest(query, all, 3)));
    }
    Found best = null;
    for (String[] m : matches) {
      Optional<Path> log = newest(dirs, m[0], m[1], null);
      if (log.isPresent() && (best == null
          || log.get().getFileName().toString().compareTo(best.log().getFileName().toString()) > 0)) {
        best = new Found(m[0], m[1], log.get());
      }
    }
    if (best == null) {
      String names = String.join(", ", matches.stream().map(m -> m[0] + "/" + m[1]).toList());
      throw Bq2Exception.badInput(names + " has no log yet in " + String.join(" or ", dirs.stream().map(Path::toString).toList())
          + "; it has not been built (`bq2 sysroot-status` names the next step)");
    }
    return best;
  }

  /** The {@code n} names nearest to {@code query} by edit distance (a step's bare name counts as well as `phase/step`). */
  static List<String> closest(String query, List<String> names, int n) {
    String q = query.toLowerCase(Locale.ROOT);
    return names.stream().distinct().sorted(Comparator.<String>comparingInt(name -> {
      String full = name.toLowerCase(Locale.ROOT);
      String bare = full.substring(full.indexOf('/') + 1);
      return Math.min(EditDistance.between(q, full), EditDistance.between(q, bare));
    }).thenComparing(Comparator.naturalOrder())).limit(n).toList();
  }

}
