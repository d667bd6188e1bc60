package dev.bq2.summary;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.annotate.Provenance;
import dev.bq2.autopilot.DetachedAutopilot;
import dev.bq2.autopilot.Journal;
import dev.bq2.autopilot.JournalEvent;
import dev.bq2.diagnose.LogExcerpt;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.rootfs.StatusProbe;
import dev.bq2.rootfs.ToolCommand;
import dev.bq2.state.Status;
import dev.bq2.state.Timestamps;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.SupervisedRun;
import dev.bq2.tasks.Task;
import dev.bq2.tasks.TaskQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What happened over a period (the night), across the session folders, the overrides history,
 * the state and the failure reports of one rootfs: what a person reads first in the morning.
 * Events are counted when their time falls in the period; deltas in force are those in force now.
 *
 * @param sessions the session folders with events in the period, oldest first
 * @param now what runs now (a runner or a detached autopilot), null when nothing does
 * @param statusError why `next_phase` could not be read (a broken plan), else null
 * @param bootChecks the boot checks of the period (`<UTC>-boot/boot-outcome.json`), oldest first
 * @param openTasks the open tasks of the task queue now (`task-queue.md`), whenever registered
 */
@JsonPropertyOrder({"since", "until", "period", "rootfs", "sessions_dir", "sessions", "phases_completed", "next_phase",
    "next_step", "status_error", "now", "failures", "deltas_in_force", "escalated", "boot_checks", "open_tasks", "task_queue", "next_actions", "assistants", "time"})
public record MorningSummary(
    String since,
    String until,
    String period,
    String rootfs,
    String sessionsDir,
    List<String> sessions,
    List<PhaseDone> phasesCompleted,
    String nextPhase,
    String nextStep,
    String statusError,
    String now,
    List<Failure> failures,
    List<DeltaInForce> deltasInForce,
    List<Escalation> escalated,
    List<String> nextActions,
    Assistants assistants,
    Times time,
    List<BootCheck> bootChecks,
    List<Task> openTasks,
    String taskQueue) {

  /** A phase that completed in the period: how many runner launches and deltas it took (in its session). */
  public record PhaseDone(String phase, String at, int runnerLaunches, int deltasApplied, String session) {}

  /**
   * A failure seen in the period and what became of it: `fixed`, `same_failure`, `new_failure`
   * (the outcome of {@code delta}, the number `bq2 overrides` shows, proposed by {@code proposer}),
   * `reverted`, `pending` (its delta is not proven yet),
   * `escalated` (its session stopped for a person), `no delta`, or `outside the autopilot` (a
   * report no session journaled: a runner started by hand).
   */
  public record Failure(String at, String phase, String step, String failureClass, String cause, String outcome,
      Integer delta, String proposer, String session) {}

  /** A delta in force now; {@code rule} for the built-in rules, {@code applied_in_period} when new since. */
  public record DeltaInForce(int number, String phase, String step, String change, String proposer, String rule,
      String outcome, String appliedAt, boolean appliedInPeriod) {}

  /** Where a person was called (`stopped`) or a proposer gave up on a failure (`<proposer> escalated`). */
  public record Escalation(String at, String phase, String step, String what, String why, String next, String session) {}

  /**
   * One boot check (`bq2 boot-check`, or `iterate --boot-check`): {@code result} `passed`, `failed` or
   * `unreadable` (its boot-outcome.json could not be read: the verdict says why), the diagnosis when
   * it failed, and the stage timings in short ({@code stages}); {@code journal} is its investigation log.
   */
  public record BootCheck(String at, String session, String result, boolean passed, String verdict, String kind, String lastSeen,
      String likelyCause, String fix, String accel, String stages, Double seconds, String journal) {}

  public record Assistants(int attempts, long tokensIn, long tokensOut, double costUsd) {}

  /** Seconds in runners (builds), how many runner launches, in proposers, and the longest steps. */
  public record Times(double buildsS, int runnerLaunches, double proposersS, List<StepTime> longestSteps) {}

  public record StepTime(String phase, String step, double seconds, String result) {}

  private static final Pattern SESSION = Pattern.compile("\\d{8}T\\d{6}Z-.+");
  private static final Pattern RULE = Pattern.compile("\\(rule ([^)\\s]+)\\)\\s*$");
  private static final DateTimeFormatter COMPACT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss[.SSS]X").withZone(ZoneOffset.UTC);

  /** Reads everything the summary needs; {@code sessionsDir} as `iterate` chose it. */
  public static MorningSummary collect(Context ctx, Path sessionsDir, SummaryPeriod period) {
    RootfsLayout layout = ctx.layout();
    Instant since = period.since();
    Map<String, List<JournalEvent>> all = new LinkedHashMap<>();
    Map<String, List<JournalEvent>> inPeriod = new LinkedHashMap<>();
    for (Path s : sessionFolders(sessionsDir)) {
      List<JournalEvent> ev = Journal.readEvents(s.resolve("events.jsonl"));
      List<JournalEvent> recent = ev.stream().filter(e -> !time(e.time()).isBefore(since)).toList();
      if (recent.isEmpty()) continue;
      all.put(s.getFileName().toString(), ev);
      inPeriod.put(s.getFileName().toString(), recent);
    }
    Provenance provenance = Provenance.read(layout.overridesHistory());

    List<PhaseDone> done = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    List<Escalation> escalated = new ArrayList<>();
    Set<String> journaledReports = new HashSet<>();
    long tokensIn = 0;
    long tokensOut = 0;
    double cost = 0;
    int attempts = 0;
    double builds = 0;
    double proposers = 0;
    int launches = 0;
    List<StepTime> steps = new ArrayList<>();
    for (Map.Entry<String, List<JournalEvent>> s : inPeriod.entrySet()) {
      String session = s.getKey();
      List<JournalEvent> whole = all.get(session);
      for (JournalEvent e : whole) {
        if (e.type().equals("failure") && e.get("report") != null) journaledReports.add(normal(e.get("report")));
      }
      for (JournalEvent e : s.getValue()) {
        switch (e.type()) {
          case "phase_complete" -> done.add(new PhaseDone(e.phase(), Journal.stamp(time(e.time())),
              count(whole, "runner_started"), count(whole, "applied"), session));
          case "failure" -> failures.add(failure(e, whole, provenance, session));
          case "stopped" -> escalated.add(new Escalation(Journal.stamp(time(e.time())), e.phase(), e.step(),
              "stopped, needs a person", e.message(), text(e.get("next_action")), session));
          case "proposal_rejected" -> {
            proposers += number(e.get("duration_s"));
            String m = String.valueOf(e.message());
            int at = m.indexOf(" escalated: ");
            if (at > 0) {
              escalated.add(new Escalation(Journal.stamp(time(e.time())), e.phase(), e.step(), m.substring(0, at) + " escalated",
                  m.substring(at + " escalated: ".length()), null, session));
            }
          }
          case "proposal" -> proposers += number(e.get("duration_s"));
          case "assistant_attempt" -> {
            attempts++;
            tokensIn += (long) number(e.get("tokens_in"));
            tokensOut += (long) number(e.get("tokens_out"));
            cost += number(e.get("cost_usd"));
          }
          case "runner_started" -> launches++;
          case "runner_exited" -> builds += number(e.get("duration_s"));
          case "step_finished" -> steps.add(new StepTime(e.phase(), e.step(), number(e.get("duration_s")), text(e.get("result"))));
          default -> { }
        }
      }
    }
    failures.addAll(reportsOutsideJournals(layout, since, journaledReports));
    failures.sort(Comparator.comparing(Failure::at));

    List<DeltaInForce> inForce = new ArrayList<>();
    for (Provenance.Delta d : provenance.inForce()) {
      Instant applied = time(d.time());
      Matcher m = d.rationale() == null ? null : RULE.matcher(d.rationale());
      inForce.add(new DeltaInForce(d.number(), d.phase(), d.step(), d.change(), d.proposer(),
          m != null && m.find() ? m.group(1) : null, d.outcome(), applied.equals(Instant.EPOCH) ? d.time() : Journal.stamp(applied),
          !applied.isBefore(since)));
    }

    String nextPhase = null;
    String nextStep = null;
    String statusError = null;
    try {
      PhaseStatus st = status(ctx);
      nextPhase = st.nextPhase();
      nextStep = st.nextStep();
    } catch (Bq2Exception e) {
      statusError = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      statusError = "interrupted";
    }
    String now = now(layout, all, period.until());
    steps.sort(Comparator.comparingDouble(StepTime::seconds).reversed());
    List<BootCheck> boots = BootChecks.read(sessionsDir, since);
    TaskQueue queue = TaskQueue.open(sessionsDir);
    List<Task> openTasks = openTasks(queue);
    List<String> next = new ArrayList<>(nextActions(all, provenance, inForce, nextPhase, now, done));
    if (!boots.isEmpty() && boots.get(boots.size() - 1).result().equals("failed")) {
      BootCheck b = boots.get(boots.size() - 1);
      next.add(0, "the last boot check failed (" + Objects.requireNonNullElse(b.kind(), "?") + "): "
          + Objects.requireNonNullElse(b.fix(), "see its log") + "; its investigation log: " + b.journal());
    }
    if (!openTasks.isEmpty()) next.add(openTasks.size() + " open task(s) in the task queue: `bq2 tasks`");
    return new MorningSummary(Journal.stamp(since), Journal.stamp(period.until()), period.asGiven(), layout.rootfs().toString(),
        sessionsDir.toString(), List.copyOf(inPeriod.keySet()), done, nextPhase, nextStep, statusError, now, failures, inForce,
        escalated, List.copyOf(next), new Assistants(attempts, tokensIn, tokensOut, cost),
        new Times(builds, launches, proposers, List.copyOf(steps.subList(0, Math.min(3, steps.size())))),
        boots, openTasks, queue.file().toString());
  }

  /** The open tasks; a queue that cannot be read is the `bq2 tasks` command's business, not the summary's. */
  private static List<Task> openTasks(TaskQueue queue) {
    try {
      return queue.tasks().stream().filter(Task::open).toList();
    } catch (Bq2Exception e) {
      return List.of();
    }
  }

  static String stampOf(Instant t) {
    return Journal.stamp(t);
  }

  private static Failure failure(JournalEvent e, List<JournalEvent> session, Provenance provenance, String name) {
    String report = text(e.get("report"));
    Provenance.Delta delta = null;
    for (Provenance.Delta d : provenance.deltas()) {
      if (report != null && report.equals(d.report())) delta = d;
    }
    String outcome;
    if (delta != null) {
      outcome = delta.reverted() && delta.outcome().equals("pending") ? "reverted" : delta.outcome();
    } else {
      boolean stoppedAfter = session.stream().anyMatch(x -> x.type().equals("stopped") && x.iteration() != null
          && e.iteration() != null && x.iteration() >= e.iteration());
      outcome = stoppedAfter ? "escalated" : "no delta";
    }
    // Journals from before `cause` was recorded: the first decisive line of the excerpt says it.
    String cause = text(e.get("cause"));
    if (cause == null && e.get("excerpt") instanceof List<?> lines) {
      cause = lines.stream().map(String::valueOf).filter(LogExcerpt::isDecisive).findFirst().orElse(null);
    }
    return new Failure(Journal.stamp(time(e.time())), e.phase(), e.step(), text(e.get("class")),
        cause != null ? cause : e.message(), outcome, delta == null ? null : delta.number(),
        delta == null ? null : delta.proposer(), name);
  }

  /** Reports of the period that no session journaled: failures of runners started by hand. */
  private static List<Failure> reportsOutsideJournals(RootfsLayout layout, Instant since, Set<String> journaled) {
    String from = Timestamps.compact(since);
    List<Failure> out = new ArrayList<>();
    for (Path p : ReportFiles.list(layout.reportDir())) {
      if (p.getFileName().toString().compareTo(from) < 0 || journaled.contains(normal(p.toString()))) continue;
      try {
        FailureReport r = ReportFiles.read(p);
        Instant at = time(p.getFileName().toString().substring(0, Math.min(20, p.getFileName().toString().length())));
        out.add(new Failure(Journal.stamp(at.equals(Instant.EPOCH) ? since : at), r.phase() == null ? null : r.phase().name(),
            r.step() == null ? null : r.step().name(), null, r.error(), "outside the autopilot", null, null, null));
      } catch (Bq2Exception e) {
        // a damaged report is `bq2 reports`' business; the summary goes on
      }
    }
    return out;
  }

  private static PhaseStatus status(Context ctx) throws InterruptedException {
    if (ctx.status().kind() == ToolCommand.Kind.OURS) return Status.compute(ctx.layout(), true);
    return new StatusProbe().probe(ctx.statusArgv(), ctx.toolCwd());
  }

  /** A detached autopilot and a runner still running, with what the journal says it builds. */
  private static String now(RootfsLayout layout, Map<String, List<JournalEvent>> sessions, Instant now) {
    List<String> parts = new ArrayList<>();
    try {
      Optional<SupervisedRun> auto = DetachedAutopilot.current(layout);
      if (auto.isPresent() && auto.get().state() == SupervisedRun.State.RUNNING) {
        parts.add("a detached autopilot runs (pid " + auto.get().record().pid() + ")");
      }
      Optional<SupervisedRun> run = BackgroundRunner.forRootfs(layout).attach();
      if (run.isPresent() && run.get().state() == SupervisedRun.State.RUNNING) {
        String building = null;
        for (List<JournalEvent> ev : sessions.values()) {
          String r = Journal.running(ev, now);
          if (r != null) building = r;
        }
        parts.add("the runner of phase " + run.get().record().phase() + " runs (pid " + run.get().record().pid() + ")"
            + (building == null ? "" : ": " + building));
      }
    } catch (Bq2Exception e) {
      parts.add("cannot tell what runs: " + e.getMessage());
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  private static List<String> nextActions(Map<String, List<JournalEvent>> sessions, Provenance provenance,
      List<DeltaInForce> inForce, String nextPhase, String now, List<PhaseDone> done) {
    Set<String> out = new LinkedHashSet<>();
    if (now != null) out.add("it is still running: `bq2 iterate --attach` (detached) or `bq2 iterate` re-attaches to it");
    // The newest session of each phase says where that phase stands.
    Map<String, List<JournalEvent>> newest = new LinkedHashMap<>();
    sessions.forEach((name, ev) -> {
      if (!ev.isEmpty()) newest.put(ev.get(0).phase(), ev);
    });
    boolean stopped = false;
    for (List<JournalEvent> ev : newest.values()) {
      JournalEvent last = ev.get(ev.size() - 1);
      if (last.type().equals("stopped")) {
        stopped = true;
        out.add(last.phase() + ": " + last.message() + "; next: " + Objects.requireNonNullElse(text(last.get("next_action")),
            "read its journal"));
      } else if (ev.stream().noneMatch(e -> e.type().equals("phase_complete") || e.type().equals("stopped")) && now == null) {
        // (a session goes on after its end only with a boot check: `iterate --boot-check` after the last phase)
        out.add(last.phase() + ": the session was interrupted; `bq2 iterate` continues it");
      }
    }
    for (Provenance.Delta d : provenance.inForce()) {
      if (d.outcome().equals("pending")) {
        out.add("prove " + d.phase() + (d.step() == null ? "" : "/" + d.step()) + ": " + d.change() + " (applied, not rerun yet): `bq2 iterate`");
      }
    }
    if (nextPhase != null && !PhaseStatus.COMPLETE.equals(nextPhase) && now == null && !stopped) {
      out.add("`bq2 iterate` builds next_phase " + nextPhase);
    }
    if (!inForce.isEmpty() && (PhaseStatus.COMPLETE.equals(nextPhase) || !done.isEmpty())) {
      out.add("back-annotate the " + inForce.size() + " delta(s) in force into the builder (`bq2 back-annotate`), then rerun from scratch");
    }
    return List.copyOf(out);
  }

  private static List<Path> sessionFolders(Path sessionsDir) {
    if (!Files.isDirectory(sessionsDir)) return List.of();
    try (Stream<Path> s = Files.list(sessionsDir)) {
      return s.filter(Files::isDirectory).filter(p -> SESSION.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + sessionsDir, e);
    }
  }

  /** An event or history time (ISO-8601, or the compact `20261130T012820.758Z`); the epoch when unreadable. */
  static Instant time(String t) {
    if (t == null) return Instant.EPOCH;
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      try {
        return Instant.from(COMPACT.parse(t));
      } catch (DateTimeParseException e2) {
        return Instant.EPOCH;
      }
    }
  }

  private static int count(List<JournalEvent> events, String type) {
    return (int) events.stream().filter(e -> e.type().equals(type)).count();
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  private static String normal(Object path) {
    return Path.of(path.toString()).toAbsolutePath().normalize().toString();
  }
}
