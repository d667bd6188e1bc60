package dev.bq2.summary;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.autopilot.Journal;
import dev.bq2.rootfs.PhaseStatus;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The morning summary of a fleet: one {@link MorningSummary} per rootfs of the fleet file, read
 * from that rootfs's own files, then the totals. A rootfs that vanished or cannot be read is one
 * entry with {@code error}; the others are still read (a fleet is many independent builds).
 *
 * @param fleet the fleet file the rootfs come from
 * @param rootfs one entry per rootfs, in the fleet file's order
 */
@JsonPropertyOrder({"since", "until", "period", "fleet", "rootfs", "totals"})
public record FleetSummary(String since, String until, String period, String fleet, List<Entry> rootfs, Totals totals) {

  /**
   * One rootfs of the fleet: its job and its summary, or why there is none.
   *
   * @param problem `vanished` (the folder is gone) or `unreadable`, with {@code error}; null when read
   */
  @JsonPropertyOrder({"rootfs", "name", "job_id", "problem", "error", "summary"})
  public record Entry(String rootfs, String name, String jobId, String problem, String error, MorningSummary summary) {}

  /** Sums over the rootfs that could be read; {@code complete} counts the rootfs whose plan is complete. */
  @JsonPropertyOrder({"rootfs", "read", "vanished", "unreadable", "complete", "phases_completed", "failures", "failure_outcomes",
      "deltas_in_force", "deltas_new", "escalated", "next_actions", "builds_s", "runner_launches", "proposers_s",
      "assistant_calls", "tokens_in", "tokens_out", "cost_usd"})
  public record Totals(int rootfs, int read, int vanished, int unreadable, int complete, int phasesCompleted, int failures,
      Map<String, Long> failureOutcomes, int deltasInForce, int deltasNew, int escalated, int nextActions, double buildsS,
      int runnerLaunches, double proposersS, int assistantCalls, long tokensIn, long tokensOut, double costUsd) {}

  /**
   * A rootfs of the fleet and how to read its summary (the caller knows how its job found the
   * session journals: the job's own iterate options).
   */
  public record Member(Path rootfs, String name, String jobId, @JsonIgnore Supplier<MorningSummary> summary) {}

  public static FleetSummary collect(Path fleetFile, List<Member> members, SummaryPeriod period) {
    List<Entry> entries = new ArrayList<>();
    for (Member m : members) entries.add(read(m));
    return new FleetSummary(Journal.stamp(period.since()), Journal.stamp(period.until()), period.asGiven(), fleetFile.toString(),
        List.copyOf(entries), totals(entries));
  }

  private static Entry read(Member m) {
    String root = m.rootfs().toString();
    if (!Files.isDirectory(m.rootfs())) {
      return new Entry(root, m.name(), m.jobId(), "vanished", Files.exists(m.rootfs()) ? "not a directory" : "no such directory", null);
    }
    try {
      return new Entry(root, m.name(), m.jobId(), null, null, m.summary().get());
    } catch (Bq2Exception | UncheckedIOException e) {
      // One rootfs's broken files are that rootfs's line; the rest of the fleet is still read.
      String why = e instanceof UncheckedIOException u && u.getCause() != null
          ? e.getMessage() + ": " + u.getCause().getMessage() : e.getMessage();
      return new Entry(root, m.name(), m.jobId(), "unreadable", why, null);
    }
  }

  private static Totals totals(List<Entry> entries) {
    int read = 0;
    int vanished = 0;
    int unreadable = 0;
    int complete = 0;
    int phases = 0;
    int failures = 0;
    Map<String, Long> outcomes = new TreeMap<>();
    int inForce = 0;
    int fresh = 0;
    int escalated = 0;
    int next = 0;
    double builds = 0;
    int launches = 0;
    double proposers = 0;
    int calls = 0;
    long in = 0;
    long out = 0;
    double cost = 0;
    for (Entry e : entries) {
      if ("vanished".equals(e.problem())) vanished++;
      if ("unreadable".equals(e.problem())) unreadable++;
      MorningSummary s = e.summary();
      if (s == null) continue;
      read++;
      if (PhaseStatus.COMPLETE.equals(s.nextPhase())) complete++;
      phases += s.phasesCompleted().size();
      failures += s.failures().size();
      for (MorningSummary.Failure f : s.failures()) outcomes.merge(f.outcome(), 1L, Long::sum);
      inForce += s.deltasInForce().size();
      fresh += (int) s.deltasInForce().stream().filter(MorningSummary.DeltaInForce::appliedInPeriod).count();
      escalated += s.escalated().size();
      next += s.nextActions().size();
      builds += s.time().buildsS();
      launches += s.time().runnerLaunches();
      proposers += s.time().proposersS();
      calls += s.assistants().attempts();
      in += s.assistants().tokensIn();
      out += s.assistants().tokensOut();
      cost += s.assistants().costUsd();
    }
    return new Totals(entries.size(), read, vanished, unreadable, complete, phases, failures, Map.copyOf(outcomes), inForce, fresh,
        escalated, next, builds, launches, proposers, calls, in, out, cost);
  }
}
