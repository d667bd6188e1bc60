package dev.bq2.autopilot;

import dev.bq2.Durations;
import dev.bq2.TerminalText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Renders `journal.md` from the events: summary, timeline, attempts, excerpts, next actions. */
final class JournalMarkdown {
  private JournalMarkdown() {}

  static String render(List<JournalEvent> events) {
    return render(events, Instant.now());
  }

  /** {@code now}: the time the elapsed time of a step still being built is counted to. */
  static String render(List<JournalEvent> events, Instant now) {
    StringBuilder md = new StringBuilder();
    JournalEvent first = events.get(0);
    JournalEvent last = events.get(events.size() - 1);
    String phase = first.phase();
    md.append("# Autopilot session: ").append(phase).append("\n\n");
    md.append("## Summary\n\n");
    md.append("- Target phase: `").append(phase).append("`\n");
    md.append("- Started: ").append(time(first.time())).append("\n");
    md.append("- Last event: ").append(time(last.time())).append(" (").append(last.type()).append(")\n");
    JournalEvent end = events.stream().filter(e -> Journal.isFinal(e.type())).reduce((a, b) -> b).orElse(null);
    md.append("- Status: ").append(end == null ? openStatus(events)
        : end.type().equals("phase_complete") ? "phase complete" : "stopped: " + end.message()).append("\n");
    String running = running(events, now);
    if (running != null) md.append("- Now: ").append(running).append("\n");
    JournalEvent boot = events.stream().filter(e -> e.type().equals("boot_check")).reduce((a, b) -> b).orElse(null);
    if (boot != null) {
      Object link = boot.data().get("boot_journal_link");
      md.append("- Boot check: ").append(Boolean.TRUE.equals(boot.data().get("passed")) ? "passed" : "FAILED").append(": ")
          .append(boot.data().get("verdict")).append(link == null ? "" : " ([investigation log](" + link + "))").append("\n");
    }
    long failures = count(events, "failure");
    long applied = count(events, "applied");
    long reverted = count(events, "reverted");
    double runnerS = sum(events, "runner_exited", "duration_s");
    double proposerS = sum(events, "proposal", "duration_s") + sum(events, "proposal_rejected", "duration_s");
    md.append("- Failures seen: ").append(failures).append("; deltas applied: ").append(applied)
        .append("; reverted: ").append(reverted).append("\n");
    md.append("- Time in runner: ").append(seconds(runnerS)).append("; in proposers: ").append(seconds(proposerS)).append("\n");
    double tokens = events.stream().filter(e -> e.type().equals("assistant_attempt"))
        .map(e -> e.data().get("tokens_in")).filter(Number.class::isInstance)
        .mapToDouble(n -> ((Number) n).doubleValue()).sum()
        + sum(events, "assistant_attempt", "tokens_out");
    double cost = sum(events, "assistant_attempt", "cost_usd");
    if (count(events, "assistant_attempt") > 0) {
      md.append(String.format("- Assistant attempts: %d; tokens: %.0f; cost: $%.4f%n",
          count(events, "assistant_attempt"), tokens, cost));
    }
    md.append("\n## Timeline (UTC)\n\n");
    Set<List<Object>> ended = finishedSteps(events);
    for (JournalEvent e : events) {
      // A started step is shown by its end (which says how long it took); only the open one by its start.
      if (e.type().equals("step_started") && ended.contains(stepKey(e))) continue;
      md.append("- ").append(time(e.time())).append(" `").append(e.type()).append("`");
      if (e.iteration() != null) md.append(" #").append(e.iteration());
      String message = e.message();
      if (e.step() != null) {
        String where = e.phase() + "/" + e.step();
        md.append(" ").append(where);
        // A delta's description starts with its own phase/step: once on the line is enough.
        if (message != null && message.startsWith(where + ": ")) message = message.substring(where.length() + 2);
      }
      if (message != null) md.append(": ").append(message.replace("\n", " "));
      md.append("\n");
    }
    md.append("\n## Attempts\n\n");
    md.append("Each runner's time is charged to the steps it built; the failure and what was done about it are on\n"
        + "the row of the step that failed.\n\n");
    md.append("| # | step | time | result | signature | proposer | proposer time | delta | outcome |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : attempts(events, now)) {
      Map<String, Object> a = r.failure();
      md.append("| ").append(r.iteration()).append(" | ").append(cell(r.step()))
          .append(" | ").append(cell(r.time())).append(" | ").append(cell(r.result()))
          .append(" | ").append(cell(a.get("signature"))).append(" | ").append(cell(a.get("proposer")))
          .append(" | ").append(cell(a.get("proposer_time"))).append(" | ").append(cell(a.get("delta")))
          .append(" | ").append(cell(a.get("outcome"))).append(" |\n");
    }
    md.append("\n## Failures\n");
    for (JournalEvent e : events) {
      if (!e.type().equals("failure")) continue;
      md.append("\n### #").append(e.iteration()).append(" ").append(e.phase()).append("/").append(e.step())
          .append(" (").append(e.data().get("class")).append(", signature ").append(e.data().get("signature"))
          .append(")\n\n");
      md.append("- Report: ").append(e.data().get("report_copy")).append("\n");
      md.append("- Log: ").append(e.data().get("log_copy")).append("\n");
      md.append("- Error: ").append(e.message()).append("\n");
      if (e.get("cause") != null) md.append("- Cause: ").append(e.get("cause")).append("\n");
      md.append("\n");
      Object excerpt = e.data().get("excerpt");
      if (excerpt instanceof List<?> lines && !lines.isEmpty()) {
        md.append("```text\n");
        for (Object l : lines) md.append(l).append("\n");
        md.append("```\n");
      }
    }
    md.append("\n## Hypotheses and next actions\n\n");
    for (String item : tasks(events)) md.append(item).append("\n");
    // Read in terminals (cat, less -R) too: escapes from builds and assistants stay visible text.
    return TerminalText.escapeLines(md.toString());
  }

  /** An unfinished session: stopped on request (`bq2 stop`), or running (or its autopilot killed). */
  private static String openStatus(List<JournalEvent> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      JournalEvent e = events.get(i);
      if (e.type().equals("runner_started")) break;
      if (e.type().equals("runner_stopped") || e.type().equals("stop_requested")) {
        return e.message() + "; rerun `bq2 iterate` to resume";
      }
    }
    return "running (or interrupted; rerun `bq2 iterate` to continue)";
  }

  /** One row of the attempts table: a step a runner built, with the failure handled on it, if any. */
  private record Row(int iteration, String step, String time, String result, Map<String, Object> failure) {}

  /**
   * The attempts table: per runner launch, one row per step it built with that step's own time
   * (from `step_finished`; the step still being built counts to {@code now}). The failure, the
   * proposal and its outcome go on the failed step's row. Journals without step events (older
   * ones, runners that log no progress lines) get one row per launch with the runner's time.
   */
  private static List<Row> attempts(List<JournalEvent> events, Instant now) {
    Map<Integer, Map<String, Object>> failures = new LinkedHashMap<>();
    Map<Integer, List<Row>> steps = new LinkedHashMap<>();
    Map<Integer, JournalEvent> exits = new LinkedHashMap<>();
    Set<List<Object>> ended = finishedSteps(events);
    String running = running(events, now);
    for (JournalEvent e : events) {
      if (e.iteration() == null) continue;
      int n = e.iteration();
      steps.computeIfAbsent(n, k -> new ArrayList<>());
      Map<String, Object> f = failures.computeIfAbsent(n, k -> new LinkedHashMap<>());
      switch (e.type()) {
        case "runner_exited" -> exits.put(n, e);
        case "step_finished" -> steps.get(n).add(new Row(n, e.step(), seconds(number(e.get("duration_s"))),
            String.valueOf(e.get("result")), new LinkedHashMap<>()));
        case "step_started" -> {
          if (!ended.contains(stepKey(e))) {
            String time = running == null ? "" : seconds(elapsed(e, now));
            steps.get(n).add(new Row(n, e.step(), time, time.isEmpty() ? "not finished" : "running", new LinkedHashMap<>()));
          }
        }
        case "failure" -> {
          f.put("step", e.step());
          f.put("signature", shortSig(e.get("signature")));
        }
        case "proposal" -> {
          f.put("proposer", e.get("proposer"));
          f.put("proposer_time", seconds(number(e.get("duration_s"))));
          f.put("delta", e.message());
        }
        case "proposal_rejected" -> {
          f.put("proposer", e.get("proposer"));
          f.put("delta", "rejected: " + e.message());
        }
        default -> { }
      }
    }
    for (JournalEvent e : events) {
      if (e.type().equals("outcome") && e.get("applied_in") instanceof Number n) {
        Map<String, Object> f = failures.get(n.intValue());
        if (f != null) f.put("outcome", e.get("outcome"));
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<Integer, List<Row>> it : steps.entrySet()) {
      int n = it.getKey();
      Map<String, Object> f = failures.get(n);
      List<Row> built = new ArrayList<>(it.getValue());
      JournalEvent exit = exits.get(n);
      if (built.isEmpty()) {
        // no step events: the whole runner's time goes to the step that failed (if one did)
        built.add(new Row(n, (String) f.get("step"), exit == null ? "" : seconds(number(exit.get("duration_s"))),
            exit == null ? "" : "exit " + exit.get("exit_code"), new LinkedHashMap<>()));
      } else if (f.get("step") != null && built.stream().noneMatch(r -> f.get("step").equals(r.step()))) {
        built.add(new Row(n, (String) f.get("step"), "", "failed", new LinkedHashMap<>()));
      }
      int failedRow = -1;
      for (int i = 0; i < built.size(); i++) {
        if (f.get("step") == null ? i == built.size() - 1 && !f.isEmpty() : f.get("step").equals(built.get(i).step())) failedRow = i;
      }
      for (int i = 0; i < built.size(); i++) {
        Row r = built.get(i);
        rows.add(i == failedRow ? new Row(n, r.step(), r.time(), r.result(), f) : r);
      }
    }
    return rows;
  }

  /** The steps that ended (a `step_finished` of the same run and step as a `step_started`), by run and step: computed once per render (a long phase has hundreds). */
  private static Set<List<Object>> finishedSteps(List<JournalEvent> events) {
    Set<List<Object>> done = new HashSet<>();
    for (JournalEvent e : events) {
      if (e.type().equals("step_finished")) done.add(stepKey(e));
    }
    return done;
  }

  private static List<Object> stepKey(JournalEvent e) {
    return Arrays.asList(e.get("run"), e.phase(), e.step());
  }

  /**
   * "building p/s (#2) for 1m5s, as of …" while a runner of this session runs (its start is the
   * last runner event and no runner_exited or final event followed), else null.
   */
  static String running(List<JournalEvent> events, Instant now) {
    JournalEvent runner = null;
    for (JournalEvent e : events) {
      switch (e.type()) {
        case "runner_started", "runner_reattached" -> runner = e;
        case "runner_exited", "runner_killed", "stopped", "phase_complete" -> runner = null;
        default -> { }
      }
    }
    if (runner == null) return null;
    JournalEvent open = null;
    Set<List<Object>> ended = finishedSteps(events);
    for (JournalEvent e : events) {
      if (e.type().equals("step_started") && Objects.equals(e.iteration(), runner.iteration()) && !ended.contains(stepKey(e))) open = e;
    }
    String asOf = ", as of " + Journal.stamp(now);
    if (open == null) {
      return "runner #" + runner.iteration() + " running for " + Durations.text(whole(elapsedSince(runner.time(), now))) + asOf;
    }
    return "building `" + open.phase() + "/" + open.step() + "` (#" + open.iteration() + ") for "
        + Durations.text(whole(elapsed(open, now))) + asOf;
  }

  private static Duration elapsed(JournalEvent started, Instant now) {
    Object at = started.get("started_at");
    return elapsedSince(at instanceof String s ? s : started.time(), now);
  }

  private static Duration elapsedSince(String time, Instant now) {
    try {
      Duration d = Duration.between(Instant.parse(time), now);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (RuntimeException e) {
      return Duration.ZERO;
    }
  }

  private static Duration whole(Duration d) {
    return Duration.ofSeconds(d.getSeconds());
  }

  private static String seconds(Duration d) {
    return Durations.text(d);
  }

  /** Seconds as people write a duration (`290ms`, `2.93s`, `12.5s`, `1m5s`); blank when unknown. */
  private static String seconds(Double s) {
    if (s == null) return "";
    Duration d = Duration.ofMillis(Math.round(s * 1000));
    // past ten seconds, milliseconds are noise; past a minute, tenths too
    return Durations.text(d.toMinutes() >= 1 ? Duration.ofSeconds(d.getSeconds())
        : d.getSeconds() >= 10 ? Duration.ofMillis(d.toMillis() / 100 * 100) : d);
  }

  private static String seconds(double s) {
    return seconds(Double.valueOf(s));
  }

  private static Double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  /** Event times to the second; events of older journals carry nanoseconds, still read. */
  static String time(String t) {
    try {
      return Journal.stamp(Instant.parse(t));
    } catch (RuntimeException e) {
      return String.valueOf(t);
    }
  }

  private static List<String> tasks(List<JournalEvent> events) {
    List<String> items = new ArrayList<>();
    Map<String, String> pending = new LinkedHashMap<>();
    for (JournalEvent e : events) {
      switch (e.type()) {
        case "applied" -> pending.put(String.valueOf(e.data().get("id")),
            "hypothesis: " + e.message() + " fixes " + e.phase() + "/" + e.step());
        case "outcome" -> {
          String h = pending.remove(String.valueOf(e.data().get("id")));
          if (h != null) items.add("- [x] " + h + " → " + e.data().get("outcome"));
        }
        default -> { }
      }
    }
    pending.values().forEach(h -> items.add("- [ ] " + h + " (rerun pending)"));
    JournalEvent end = events.get(events.size() - 1);
    if (end.type().equals("stopped")) {
      items.add("- [ ] needs a person: " + end.message());
      Object next = end.data().get("next_action");
      Object task = end.data().get("task");
      if (next != null) items.add("- [ ] next: " + next + (task == null ? "" : " (task `" + task + "` in the task queue)"));
      Object link = end.data().get("boot_journal_link");
      if (link != null) items.add("- [ ] read the boot investigation log: [" + link + "](" + link + ")");
    } else if (end.type().equals("boot_check") && Boolean.TRUE.equals(end.data().get("passed"))) {
      Object link = end.data().get("boot_journal_link");
      items.add("- [x] boot check " + end.message() + (link == null ? "" : " ([investigation log](" + link + "))"));
    } else if (end.type().equals("phase_complete")) {
      items.add("- [ ] back-annotate the overrides into the builder (`bq2 back-annotate`), then rerun from scratch");
    }
    if (items.isEmpty()) items.add("- [ ] (none yet)");
    return items;
  }

  private static long count(List<JournalEvent> events, String type) {
    return events.stream().filter(e -> e.type().equals(type)).count();
  }

  private static double sum(List<JournalEvent> events, String type, String key) {
    return events.stream().filter(e -> e.type().equals(type))
        .map(e -> e.data().get(key)).filter(Number.class::isInstance)
        .mapToDouble(n -> ((Number) n).doubleValue()).sum();
  }

  private static String shortSig(Object sig) {
    String s = String.valueOf(sig);
    return s.length() > 12 ? s.substring(0, 12) : s;
  }

  private static String cell(Object o) {
    return o == null ? "" : String.valueOf(o).replace("|", "\\|").replace("\n", " ");
  }
}
