package dev.bq2.autopilot;

import dev.bq2.TerminalText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders `journal.md` from the events: summary, timeline, attempts, excerpts, next actions. */
final class JournalMarkdown {
  private JournalMarkdown() {}

  static String render(List<JournalEvent> events) {
    StringBuilder md = new StringBuilder();
    JournalEvent first = events.get(0);
    JournalEvent last = events.get(events.size() - 1);
    String phase = first.phase();
    md.append("# Autopilot session: ").append(phase).append("\n\n");
    md.append("## Summary\n\n");
    md.append("- Target phase: `").append(phase).append("`\n");
    md.append("- Started: ").append(first.time()).append("\n");
    md.append("- Last event: ").append(last.time()).append(" (").append(last.type()).append(")\n");
    JournalEvent end = events.stream().filter(e -> Journal.isFinal(e.type())).reduce((a, b) -> b).orElse(null);
    md.append("- Status: ").append(end == null ? openStatus(events)
        : end.type().equals("phase_complete") ? "phase complete" : "stopped: " + end.message()).append("\n");
    long failures = count(events, "failure");
    long applied = count(events, "applied");
    long reverted = count(events, "reverted");
    double runnerS = sum(events, "runner_exited", "duration_s");
    double proposerS = sum(events, "proposal", "duration_s") + sum(events, "proposal_rejected", "duration_s");
    md.append("- Failures seen: ").append(failures).append("; deltas applied: ").append(applied)
        .append("; reverted: ").append(reverted).append("\n");
    md.append(String.format("- Time in runner: %.1f s; in proposers: %.2f s%n", runnerS, proposerS));
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
    for (JournalEvent e : events) {
      md.append("- ").append(e.time()).append(" `").append(e.type()).append("`");
      if (e.iteration() != null) md.append(" #").append(e.iteration());
      if (e.step() != null) md.append(" ").append(e.phase()).append("/").append(e.step());
      if (e.message() != null) md.append(": ").append(e.message().replace("\n", " "));
      md.append("\n");
    }
    md.append("\n## Attempts\n\n");
    md.append("| # | step | runner s | exit | signature | proposer | proposer s | delta | outcome |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<Integer, Map<String, Object>> row : attempts(events).entrySet()) {
      Map<String, Object> a = row.getValue();
      md.append("| ").append(row.getKey()).append(" | ").append(cell(a.get("step")))
          .append(" | ").append(cell(a.get("runner_s"))).append(" | ").append(cell(a.get("exit")))
          .append(" | ").append(cell(a.get("signature"))).append(" | ").append(cell(a.get("proposer")))
          .append(" | ").append(cell(a.get("proposer_s"))).append(" | ").append(cell(a.get("delta")))
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
      md.append("- Error: ").append(e.message()).append("\n\n");
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

  private static Map<Integer, Map<String, Object>> attempts(List<JournalEvent> events) {
    Map<Integer, Map<String, Object>> rows = new LinkedHashMap<>();
    for (JournalEvent e : events) {
      if (e.iteration() == null) continue;
      Map<String, Object> r = rows.computeIfAbsent(e.iteration(), k -> new LinkedHashMap<>());
      switch (e.type()) {
        case "runner_exited" -> {
          r.put("runner_s", e.data().get("duration_s"));
          r.put("exit", e.data().get("exit_code"));
        }
        case "failure" -> {
          r.put("step", e.step());
          r.put("signature", shortSig(e.data().get("signature")));
        }
        case "proposal" -> {
          r.put("proposer", e.data().get("proposer"));
          r.put("proposer_s", e.data().get("duration_s"));
          r.put("delta", e.message());
        }
        case "proposal_rejected" -> {
          r.put("proposer", e.data().get("proposer"));
          r.put("delta", "rejected: " + e.message());
        }
        default -> { }
      }
    }
    for (JournalEvent e : events) {
      if (e.type().equals("outcome") && e.data().get("applied_in") instanceof Number n) {
        Map<String, Object> r = rows.get(n.intValue());
        if (r != null) r.put("outcome", e.data().get("outcome"));
      }
    }
    return rows;
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
      if (next != null) items.add("- [ ] next: " + next);
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
