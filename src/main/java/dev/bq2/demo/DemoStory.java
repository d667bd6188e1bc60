package dev.bq2.demo;

import dev.bq2.TerminalText;
import dev.bq2.autopilot.Journal;
import dev.bq2.autopilot.JournalEvent;
import dev.bq2.diagnose.LogExcerpt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's story, told from the sessions' events: each failure with its decisive line, and
 * what fixed it (or what came of the fix). Two lines a failure, so the demo's screen fits in a
 * terminal while the autopilot's every line stays in the log file.
 */
public final class DemoStory {
  private DemoStory() {}

  /** The story's lines, oldest failure first, from the `events.jsonl` of these session folders. */
  public static List<String> lines(List<Path> sessions) {
    List<String> out = new ArrayList<>();
    for (Path session : sessions) {
      List<JournalEvent> events = Journal.readEvents(session.resolve("events.jsonl"));
      Map<String, String> outcomes = new LinkedHashMap<>();
      for (JournalEvent e : events) {
        if (e.type().equals("outcome") && e.get("id") != null) outcomes.put(e.get("id").toString(), String.valueOf(e.get("outcome")));
        if (e.type().equals("reverted") && e.get("id") != null) outcomes.put(e.get("id").toString(), "reverted");
      }
      for (int i = 0; i < events.size(); i++) {
        JournalEvent e = events.get(i);
        if (!e.type().equals("failure")) continue;
        String where = e.phase() + "/" + e.step();
        out.add(where + " failed (" + e.get("class") + "): " + clip(decisive(e), 150));
        JournalEvent applied = null;
        for (int j = i + 1; j < events.size() && !events.get(j).type().equals("failure"); j++) {
          if (events.get(j).type().equals("applied")) applied = events.get(j);
        }
        if (applied == null) {
          out.add("  not fixed: no safe fix was found (the journal says why)");
          continue;
        }
        String change = applied.message() == null ? "" : applied.message();
        if (change.startsWith(where + ": ")) change = change.substring(where.length() + 2);
        String result = outcomes.getOrDefault(String.valueOf(applied.get("id")), "pending");
        String verb = switch (result) {
          case "fixed" -> "fixed by ";
          case "reverted", "same_failure" -> "tried and reverted (the same failure came back): ";
          case "new_failure" -> "got past it with ";
          default -> "applied, not yet proven: ";
        };
        out.add("  " + verb + applied.get("proposer") + ": " + clip(change, 150));
      }
    }
    return out;
  }

  /** The compiler's, linker's or configure's own words: the first decisive excerpt line. */
  private static String decisive(JournalEvent failure) {
    Object ex = failure.get("excerpt");
    List<String> lines = new ArrayList<>();
    if (ex instanceof List<?> l) l.forEach(x -> lines.add(String.valueOf(x)));
    return lines.stream().filter(LogExcerpt::isDecisive).findFirst()
        .or(() -> lines.stream().filter(s -> !s.isBlank()).reduce((a, b) -> b))
        .orElse(failure.message() == null ? "" : failure.message()).strip();
  }

  private static String clip(String s, int max) {
    String t = TerminalText.escape(s);
    return t.length() <= max ? t : t.substring(0, max - 1) + "…";
  }
}
