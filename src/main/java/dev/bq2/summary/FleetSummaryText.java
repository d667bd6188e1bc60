package dev.bq2.summary;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * `bq2 fleet summary` as a person reads it: one block per rootfs (the sections of
 * `bq2 summary`, indented under the job's name), a rootfs that cannot be read in one line, then
 * the totals last, where the eye lands when the output ends.
 */
public final class FleetSummaryText {
  private FleetSummaryText() {}

  public static String render(FleetSummary f) {
    DateTimeFormatter clock = SummaryText.clock(Instant.parse(f.since()), Instant.parse(f.until()));
    StringBuilder b = new StringBuilder();
    b.append("bq2 fleet summary since ").append(f.since()).append(" (").append(f.period()).append(") for ")
        .append(f.rootfs().size()).append(" rootfs").append(" of ").append(f.fleet()).append('\n');
    for (FleetSummary.Entry e : f.rootfs()) {
      String head = (e.name() == null ? "" : e.name() + "  ") + e.rootfs() + (e.jobId() == null ? "" : "  (job " + e.jobId() + ")");
      if (e.summary() == null) {
        b.append('\n').append(head).append(": ").append(e.problem()).append(": ").append(SummaryText.one(e.error())).append('\n');
        continue;
      }
      MorningSummary s = e.summary();
      b.append('\n').append(head).append('\n');
      b.append("  plan: ").append(SummaryText.plan(s)).append("; now: ").append(SummaryText.now(s)).append('\n');
      b.append("  ").append(s.sessions().isEmpty() ? "no session had events in this period" : SummaryText.count(s.sessions().size(), "session"))
          .append(" in ").append(s.sessionsDir()).append('\n');
      SummaryText.sections(b, s, clock, "  ", "");
    }
    FleetSummary.Totals t = f.totals();
    b.append("\ntotals: ").append(t.read()).append(" of ").append(t.rootfs()).append(" rootfs read");
    if (t.vanished() + t.unreadable() > 0) {
      b.append(" (").append(t.vanished() == 0 ? "" : t.vanished() + " vanished").append(t.vanished() > 0 && t.unreadable() > 0 ? ", " : "")
          .append(t.unreadable() == 0 ? "" : t.unreadable() + " unreadable").append(')');
    }
    b.append(", ").append(t.complete()).append(" complete\n");
    Map<String, Long> outcomes = new TreeMap<>(t.failureOutcomes());
    b.append("  ").append(SummaryText.count(t.phasesCompleted(), "phase")).append(" completed; ")
        .append(SummaryText.count(t.failures(), "failure")).append(outcomes.isEmpty() ? "" : " (" + SummaryText.outcomes(outcomes) + ")")
        .append("; ").append(SummaryText.count(t.deltasInForce(), "delta")).append(" in force (").append(t.deltasNew()).append(" new); ")
        .append(t.escalated()).append(" escalated; ").append(SummaryText.count(t.nextActions(), "next action")).append('\n');
    b.append("  assistants: ").append(SummaryText.assistants(new MorningSummary.Assistants(t.assistantCalls(), t.tokensIn(), t.tokensOut(),
        t.costUsd()))).append("; time: ").append(SummaryText.times(new MorningSummary.Times(t.buildsS(), t.runnerLaunches(), t.proposersS(),
            List.of()))).append('\n');
    return b.toString();
  }
}
