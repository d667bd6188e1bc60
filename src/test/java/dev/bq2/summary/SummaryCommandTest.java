package dev.bq2.summary;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.InProcessCli;
import dev.bq2.annotate.Provenance;
import dev.bq2.autopilot.Journal;
import dev.bq2.autopilot.JournalEvent;
import dev.bq2.json.Json;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.TriedDeltas;
import dev.bq2.rootfs.RootfsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 5: `bq2 summary` after real autopilot runs says what their files say: the
 * phases completed (events.jsonl), the deltas in force with the rules that proposed them (the
 * overrides history), the failures, what escalated, and the time spent in builds.
 */
class SummaryCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(300)
  void afterTheDemoTheSummarySaysWhatTheSessionFilesSay() throws Exception {
    Path demo = dir.resolve("demo");
    ChildJvm run = ChildJvm.run(dir, dir.resolve("demo-run"), Duration.ofMinutes(4), "demo", "--dir", demo.toString(), "--jobs", "2");
    assertEquals(0, run.exit(), run.toString());
    Path rootfs = demo.resolve("rootfs");
    Path repo = demo.resolve("repo");
    RootfsLayout layout = RootfsLayout.of(rootfs);

    InProcessCli.Result r = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString());
    assertEquals(ExitCodes.OK, r.exit(), r.toString());
    String text = r.out();

    // Phases completed: one line per phase_complete event of the session journals.
    List<JournalEvent> events = new ArrayList<>();
    for (Path s : sessions(repo.resolve("session"))) events.addAll(Journal.readEvents(s.resolve("events.jsonl")));
    List<String> completed = events.stream().filter(e -> e.type().equals("phase_complete")).map(JournalEvent::phase).toList();
    assertFalse(completed.isEmpty(), events.toString());
    assertTrue(text.contains("phases completed: " + completed.size() + "\n"), text);
    for (String phase : completed) {
      assertTrue(Pattern.compile("(?m)^  \\d\\d:\\d\\d:\\d\\dZ  " + Pattern.quote(phase) + ": \\d+ runner launch").matcher(text).find(),
          phase + " in " + text);
    }

    // Deltas in force, each with the rule named in its history entry.
    List<HistoryEntry> inForce = TriedDeltas.inForce(layout.overridesHistory());
    assertFalse(inForce.isEmpty());
    assertTrue(text.contains("deltas in force: " + inForce.size() + " "), text);
    for (HistoryEntry h : inForce) {
      Matcher rule = Pattern.compile("\\(rule ([^)\\s]+)\\)$").matcher(h.rationale());
      assertTrue(rule.find(), h.rationale());
      String line = h.phase() + "/" + h.step() + ": " + Provenance.describe(h.delta()) + "\n      rule " + rule.group(1) + ", fixed";
      assertTrue(text.contains(line), line + " in " + text);
    }

    // Failures: as many as the journals hold, each with its class.
    List<JournalEvent> failures = events.stream().filter(e -> e.type().equals("failure")).toList();
    assertTrue(text.contains("failures seen: " + failures.size() + " (" + failures.size() + " fixed)"), text);
    for (JournalEvent f : failures) {
      assertTrue(text.contains(f.phase() + "/" + f.step() + " (" + f.get("class") + ") → fixed"), f + " in " + text);
    }
    assertTrue(text.contains("escalated: none"), text);
    assertTrue(text.contains("plan: complete"), text);
    assertTrue(text.contains("(`bq2 back-annotate`)"), "the next action after a complete plan: " + text);

    // Time in builds: more than zero, as people write durations, and what the journals add up to.
    Matcher time = Pattern.compile("(?m)^time: (\\S+) in builds \\((\\d+) runner launches\\)").matcher(text);
    assertTrue(time.find(), text);
    assertFalse(time.group(1).startsWith("0") || time.group(1).startsWith("PT"), time.group(1));
    assertEquals(events.stream().filter(e -> e.type().equals("runner_started")).count(), Long.parseLong(time.group(2)));

    InProcessCli.Result j = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--json");
    assertEquals(ExitCodes.OK, j.exit(), j.toString());
    JsonNode json = Json.tree(Path.of("summary.json"), j.out(), "test");
    double builds = events.stream().filter(e -> e.type().equals("runner_exited"))
        .mapToDouble(e -> ((Number) e.get("duration_s")).doubleValue()).sum();
    assertTrue(builds > 0);
    assertEquals(builds, json.get("time").get("builds_s").asDouble(), 1e-6);
    assertEquals(completed, json.get("phases_completed").findValuesAsText("phase"));
    assertEquals(inForce.size(), json.get("deltas_in_force").size());
    assertEquals("complete", json.get("next_phase").asText());
  }

  /** A run that stops for a person: the summary says what escalated, why, and what to do next. */
  @Test
  @Timeout(180)
  void aStoppedRunShowsWhatEscalatedWhyAndTheNextActions() throws Exception {
    Path demo = dir.resolve("demo");
    assertEquals(0, InProcessCli.run("demo", "--write-only", "--dir", demo.toString()).exit());
    Path rootfs = demo.resolve("rootfs");
    Path repo = demo.resolve("repo");
    ChildJvm it = ChildJvm.run(dir, dir.resolve("iterate"), Duration.ofMinutes(2), "iterate", "--rootfs", rootfs.toString(),
        "--repo", repo.toString(), "--max-iterations", "1", "--quiet", "--jobs", "2");
    assertEquals(ExitCodes.NEEDS_PERSON, it.exit(), it.toString());
    JournalEvent stopped = sessions(repo.resolve("session")).stream()
        .flatMap(s -> Journal.readEvents(s.resolve("events.jsonl")).stream())
        .filter(e -> e.type().equals("stopped")).findFirst().orElseThrow();

    InProcessCli.Result r = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--since", "1h");
    assertEquals(ExitCodes.OK, r.exit(), r.toString());
    String text = r.out();
    assertTrue(text.contains("escalated: 1\n"), text);
    assertTrue(text.contains(": stopped, needs a person: " + stopped.message()), text);
    assertTrue(text.contains("  - " + stopped.phase() + ": " + stopped.message() + "; next: " + stopped.get("next_action")), text);
    HistoryEntry pending = TriedDeltas.inForce(RootfsLayout.of(rootfs).overridesHistory()).get(0);
    assertTrue(text.contains("  - prove " + pending.phase() + "/" + pending.step() + ": " + Provenance.describe(pending.delta())),
        "the applied delta waits for its rerun: " + text);
    assertTrue(text.contains("→ pending (delta #1 by rules)"), text);
    assertTrue(text.contains("phases completed: none"), text);
  }

  @Test
  void aBadSinceIsOneLineAndExit2BeforeAnythingIsRead() {
    for (String bad : List.of("12x", "h", "-3h", "0h", "2026-13-40T00:00:00Z", "2999-01-01T00:00:00Z", "99999999999999999d")) {
      InProcessCli.Result r = InProcessCli.run("summary", "--rootfs", dir.resolve("nowhere").toString(), "--since", bad);
      assertEquals(ExitCodes.BAD_INPUT, r.exit(), bad + ": " + r);
      assertEquals(1, r.err().lines().count(), bad + ": " + r);
      assertTrue(r.err().startsWith("bq2: --since " + bad + ": "), r.err());
      assertEquals("", r.out(), bad);
    }
  }

  private static List<Path> sessions(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }
}
