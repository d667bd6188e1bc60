package dev.bq2.summary;

import dev.bq2.Durations;
import dev.bq2.TerminalText;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.tasks.Task;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The summary as a person reads it first in the morning: one screen, most important first
 * (what runs, where the plan stands), then what happened, then what to do. Texts from builds
 * and assistants are escaped for the terminal and cut to one line each.
 */
public final class SummaryText {
  /** A cause or a reason longer than this is cut: the journal has it whole. */
  private static final int LINE = 110;

  private SummaryText() {}

  public static String render(MorningSummary s) {
    Instant since = Instant.parse(s.since());
    Instant until = Instant.parse(s.until());
    DateTimeFormatter clock = clock(since, until);
    StringBuilder b = new StringBuilder();
    b.append("bq2 summary since ").append(s.since()).append(" (").append(s.period()).append(") for ").append(s.rootfs()).append('\n');
    b.append("  ").append(s.sessions().isEmpty() ? "no session had events in this period" : count(s.sessions().size(), "session"))
        .append(" in ").append(s.sessionsDir())
        // The journals live in the builder repo when iterate had one: say how to point there.
        .append(s.sessions().isEmpty() ? " (journals elsewhere? name them with --repo or --session-dir)" : "").append('\n');
    b.append("now:  ").append(now(s)).append('\n');
    b.append("plan: ").append(plan(s)).append('\n');

    sections(b, s, clock, "", "\n");
    return b.toString();
  }

  /**
   * What happened and what to do, each section under {@code indent}, sections separated by
   * {@code gap}: the whole of `bq2 summary` after its header, and one rootfs's block of
   * `bq2 fleet summary` ({@link FleetSummaryText}).
   */
  static void sections(StringBuilder b, MorningSummary s, DateTimeFormatter clock, String indent, String gap) {
    String in = indent + "  ";
    b.append(gap).append(indent).append("phases completed: ").append(s.phasesCompleted().isEmpty() ? "none" : s.phasesCompleted().size()).append('\n');
    for (MorningSummary.PhaseDone p : s.phasesCompleted()) {
      b.append(in).append(at(p.at(), clock)).append("  ").append(p.phase()).append(": ")
          .append(count(p.runnerLaunches(), "runner launch")).append(", ").append(count(p.deltasApplied(), "delta")).append(" applied\n");
    }

    Map<String, Long> outcomes = s.failures().stream()
        .collect(Collectors.groupingBy(MorningSummary.Failure::outcome, TreeMap::new, Collectors.counting()));
    b.append(gap).append(indent).append("failures seen: ").append(s.failures().isEmpty() ? "none" : s.failures().size() + " ("
        + outcomes(outcomes) + ")").append('\n');
    for (MorningSummary.Failure f : s.failures()) {
      b.append(in).append(at(f.at(), clock)).append("  ").append(f.phase()).append('/').append(f.step())
          .append(f.failureClass() == null ? "" : " (" + f.failureClass() + ")").append(" → ").append(f.outcome())
          .append(f.delta() == null ? "" : " (delta #" + f.delta() + " by " + f.proposer() + ")").append('\n')
          .append(in).append("    ").append(one(f.cause())).append('\n');
    }

    long fresh = s.deltasInForce().stream().filter(MorningSummary.DeltaInForce::appliedInPeriod).count();
    b.append(gap).append(indent).append("deltas in force: ").append(s.deltasInForce().isEmpty() ? "none" : s.deltasInForce().size() + " ("
        + fresh + " applied in this period)").append('\n');
    for (MorningSummary.DeltaInForce d : s.deltasInForce()) {
      b.append(in).append('#').append(d.number()).append(' ').append(d.phase()).append(d.step() == null ? "" : "/" + d.step())
          .append(": ").append(one(d.change())).append('\n').append(in).append("    ").append(d.rule() == null ? "by " + d.proposer() : "rule " + d.rule())
          .append(", ").append(d.outcome()).append(d.appliedInPeriod() ? ", new" : "").append('\n');
    }

    b.append(gap).append(indent).append("escalated: ").append(s.escalated().isEmpty() ? "none" : s.escalated().size()).append('\n');
    for (MorningSummary.Escalation e : s.escalated()) {
      b.append(in).append(at(e.at(), clock)).append("  ").append(e.phase()).append(e.step() == null ? "" : "/" + e.step())
          .append(": ").append(e.what()).append(": ").append(one(e.why())).append('\n');
    }

    if (!s.bootChecks().isEmpty()) {
      Map<String, Long> results = s.bootChecks().stream()
          .collect(Collectors.groupingBy(MorningSummary.BootCheck::result, TreeMap::new, Collectors.counting()));
      b.append(gap).append(indent).append("boot checks: ").append(s.bootChecks().size()).append(" (").append(results.entrySet().stream()
          .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))).append(")\n");
      for (MorningSummary.BootCheck c : s.bootChecks()) {
        b.append(in).append(at(c.at(), clock)).append("  ").append(c.result().equals("failed") ? "FAILED" : c.result())
            .append(c.kind() == null ? "" : " (" + c.kind() + ")").append(": ").append(one(c.verdict()))
            .append(c.accel() == null ? "" : " [" + c.accel() + (c.seconds() == null ? "" : ", " + duration(c.seconds())) + "]")
            .append('\n');
        if (c.stages() != null) b.append(in).append("    stages: ").append(one(c.stages())).append('\n');
        if (c.result().equals("failed")) {
          if (c.lastSeen() != null) b.append(in).append("    last seen: ").append(one(c.lastSeen())).append('\n');
          if (c.likelyCause() != null) b.append(in).append("    likely cause: ").append(one(c.likelyCause())).append('\n');
          if (c.fix() != null) b.append(in).append("    fix: ").append(whole(c.fix())).append('\n');
        }
        b.append(in).append("    log: ").append(whole(c.journal())).append('\n');
      }
    }

    b.append(gap).append(indent).append("open tasks: ").append(s.openTasks().isEmpty() ? "none" : s.openTasks().size() + " in " + whole(s.taskQueue()))
        .append('\n');
    for (Task t : s.openTasks()) {
      b.append(in).append("- ").append(one(t.text())).append(t.byHand() ? " (by hand)" : " — " + whole(t.key())).append('\n');
    }

    b.append(gap).append(indent).append("next actions:").append(s.nextActions().isEmpty() ? " none" : "").append('\n');
    for (String n : s.nextActions()) b.append(in).append("- ").append(whole(n)).append('\n');

    b.append(gap).append(indent).append("assistants: ").append(assistants(s.assistants())).append('\n');
    MorningSummary.Times t = s.time();
    b.append(indent).append("time: ").append(times(t));
    if (!t.longestSteps().isEmpty()) {
      b.append("; longest steps: ").append(t.longestSteps().stream()
          .map(x -> x.phase() + "/" + x.step() + " " + duration(x.seconds())).collect(Collectors.joining(", ")));
    }
    b.append('\n');
  }

  static String now(MorningSummary s) {
    return s.now() == null ? "nothing runs" : one(s.now());
  }

  /** `complete`, `next_phase P, next step S`, or why it is unknown. */
  static String plan(MorningSummary s) {
    return s.statusError() != null ? "unknown (" + one(s.statusError()) + ")"
        : PhaseStatus.COMPLETE.equals(s.nextPhase()) ? "complete" : "next_phase " + s.nextPhase()
            + (s.nextStep() == null ? "" : ", next step " + s.nextStep());
  }

  /** `2 fixed, 1 pending`: failures counted by what became of them. */
  static String outcomes(Map<String, Long> byOutcome) {
    return byOutcome.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  static String assistants(MorningSummary.Assistants a) {
    return a.attempts() == 0 ? "not called" : count(a.attempts(), "call") + ", "
        + String.format(Locale.ROOT, "%,d tokens (%,d in, %,d out), $%.4f", a.tokensIn() + a.tokensOut(), a.tokensIn(),
            a.tokensOut(), a.costUsd());
  }

  /** `4.1s in builds (7 runner launches), 212ms in proposers`. */
  static String times(MorningSummary.Times t) {
    return duration(t.buildsS()) + " in builds (" + count(t.runnerLaunches(), "runner launch") + "), "
        + duration(t.proposersS()) + " in proposers";
  }

  /** The clock of a period: times of day for a night, dates too for a longer one. */
  static DateTimeFormatter clock(Instant since, Instant until) {
    return DateTimeFormatter.ofPattern(Duration.between(since, until).toHours() <= 24 ? "HH:mm:ss'Z'" : "MM-dd HH:mm'Z'")
        .withZone(ZoneOffset.UTC);
  }

  /** Seconds as people write a duration: `21.3s`, `1h5m`, `412ms`. */
  static String duration(double seconds) {
    Duration d = Duration.ofMillis(Math.round(seconds * 1000));
    // Past a minute, tenths of a second are noise.
    return Durations.text(d.toMinutes() >= 1 ? Duration.ofSeconds(d.getSeconds()) : d.toSeconds() >= 10
        ? Duration.ofMillis(d.toMillis() / 100 * 100) : d);
  }

  static String at(String time, DateTimeFormatter clock) {
    try {
      return clock.format(Instant.parse(time));
    } catch (RuntimeException e) {
      return String.valueOf(time);
    }
  }

  static String count(long n, String what) {
    return n + " " + what + (n == 1 ? "" : what.endsWith("h") ? "es" : "s");
  }

  /** Our own words (next actions): never cut, still one line and escaped (they quote paths and reasons). */
  static String whole(String text) {
    return text == null ? "" : TerminalText.escape(text.strip().replaceAll("\\s*\\R\\s*", " "));
  }

  /** One line of at most {@link #LINE} chars, escaped for the terminal. */
  static String one(String text) {
    if (text == null) return "";
    String line = text.strip().replaceAll("\\s*\\R\\s*", " ");
    if (line.length() > LINE) line = line.substring(0, LINE - 1) + "…";
    return TerminalText.escape(line);
  }
}
