package dev.bq2.summary;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.InProcessCli;
import dev.bq2.annotate.Provenance;
import dev.bq2.autopilot.Journal;
import dev.bq2.autopilot.JournalEvent;
import dev.bq2.fleet.FleetBuild;
import dev.bq2.fleet.FleetFile;
import dev.bq2.json.Json;
import dev.bq2.propose.TriedDeltas;
import dev.bq2.rootfs.RootfsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: `bq2 fleet summary` over a fleet file naming three demo rootfs that really ran
 * `bq2 iterate` (two to completion, one with its journals in the rootfs, one stopped for a
 * person), one rootfs that vanished and one that cannot be read: each readable rootfs says what
 * its own files say, the other two are one line each, and the totals add the three up.
 */
class FleetSummaryCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(400)
  void eachRootfsSaysWhatItsFilesSayTheBrokenOnesAreOneLineAndTheTotalsAddUp() throws Exception {
    Path a = demo("a");
    Path b = demo("b");
    Path c = demo("c");
    // As three batch jobs would: at the same time, each its own `bq2 iterate`.
    ChildJvm ja = ChildJvm.start(dir, dir.resolve("a-run"), "iterate", "--all-phases", "--rootfs", a.resolve("rootfs").toString(),
        "--repo", a.resolve("repo").toString(), "--quiet", "--jobs", "1");
    ChildJvm jb = ChildJvm.start(dir, dir.resolve("b-run"), "iterate", "--all-phases", "--rootfs", b.resolve("rootfs").toString(),
        "--quiet", "--jobs", "1");
    ChildJvm jc = ChildJvm.start(dir, dir.resolve("c-run"), "iterate", "--all-phases", "--rootfs", c.resolve("rootfs").toString(),
        "--repo", "c/repo", "--max-iterations", "1", "--quiet", "--jobs", "1");
    assertEquals(0, ja.waitFor(Duration.ofMinutes(5)), ja.toString());
    assertEquals(0, jb.waitFor(Duration.ofMinutes(5)), jb.toString());
    assertEquals(ExitCodes.NEEDS_PERSON, jc.waitFor(Duration.ofMinutes(5)), jc.toString());

    Path gone = demo("gone").resolve("rootfs");
    deleteTree(gone.getParent());
    Path broken = Files.createDirectories(dir.resolve("broken/rootfs"));

    // The fleet file as `bq2 fleet submit` records it; a's first job was resubmitted once.
    FleetFile fleet = new FleetFile(dir.resolve("bq2-fleet.json"));
    fleet.update("slurm", f -> f
        .with(build(a, "100", null, "--repo", a.resolve("repo").toString(), "--jobs", "1"))
        .with(build(b, "101", null, "--jobs", "1"))
        .with(build(c, "102", null, "--repo", "c/repo", "--max-iterations", "1", "--jobs", "1"))
        .with(new FleetBuild(gone.toString(), "bq2-gone", "103", "2026-11-30T01:00:00Z", List.of(), null, gone + "/x.out", null))
        .with(new FleetBuild(broken.toString(), "bq2-broken", "104", "2026-11-30T01:00:00Z", List.of(), null, broken + "/x.out", null))
        .with(build(a, "105", "100", "--repo", a.resolve("repo").toString(), "--jobs", "1")));

    InProcessCli.Result r = InProcessCli.run("fleet", "summary", "--fleet", fleet.path().toString());
    assertEquals(ExitCodes.OK, r.exit(), r.toString());
    String text = r.out();
    assertTrue(text.startsWith("bq2 fleet summary since "), text);
    assertTrue(text.lines().findFirst().orElseThrow().endsWith("(12h) for 5 rootfs of " + fleet.path()), text);

    List<JournalEvent> evA = events(a.resolve("repo/session"));
    List<JournalEvent> evB = events(b.resolve("rootfs/var/lib/sysroot-build-sessions"));
    List<JournalEvent> evC = events(c.resolve("repo/session"));
    String blockA = block(text, "bq2-a  " + a.resolve("rootfs") + "  (job 105)");
    String blockB = block(text, "bq2-b  " + b.resolve("rootfs") + "  (job 101)");
    String blockC = block(text, "bq2-c  " + c.resolve("rootfs") + "  (job 102)");

    for (String[] x : new String[][] {{"a", blockA}, {"b", blockB}}) {
      Path rootfs = dir.resolve(x[0]).resolve("rootfs");
      List<JournalEvent> ev = x[0].equals("a") ? evA : evB;
      String blk = x[1];
      assertTrue(blk.contains("\n  plan: complete; now: nothing runs\n"), blk);
      List<String> completed = ev.stream().filter(e -> e.type().equals("phase_complete")).map(JournalEvent::phase).toList();
      assertFalse(completed.isEmpty(), ev.toString());
      assertTrue(blk.contains("\n  phases completed: " + completed.size() + "\n"), blk);
      for (String phase : completed) {
        assertTrue(Pattern.compile("(?m)^    \\d\\d:\\d\\d:\\d\\dZ  " + Pattern.quote(phase) + ": \\d+ runner launch").matcher(blk).find(), blk);
      }
      List<Provenance.Delta> inForce = Provenance.read(RootfsLayout.of(rootfs).overridesHistory()).inForce();
      assertFalse(inForce.isEmpty());
      assertTrue(blk.contains("\n  deltas in force: " + inForce.size() + " (" + inForce.size() + " applied in this period)\n"), blk);
      for (Provenance.Delta h : inForce) {
        Matcher rule = Pattern.compile("\\(rule ([^)\\s]+)\\)$").matcher(h.rationale());
        assertTrue(rule.find(), h.rationale());
        String line = "    #" + h.number() + " " + h.phase() + "/" + h.step() + ": " + h.change() + "\n        rule "
            + rule.group(1) + ", fixed, new\n";
        assertTrue(blk.contains(line), line + " in " + blk);
      }
      long failures = ev.stream().filter(e -> e.type().equals("failure")).count();
      assertTrue(blk.contains("\n  failures seen: " + failures + " (" + failures + " fixed)\n"), blk);
      assertTrue(blk.contains("\n  escalated: none\n"), blk);
      assertTrue(blk.contains("\n  time: ") && blk.contains("(" + count(ev, "runner_started") + " runner launches)"), blk);
    }
    assertTrue(blockB.contains(" sessions in " + b.resolve("rootfs/var/lib/sysroot-build-sessions") + "\n"),
        "without --repo the job journals into the rootfs: " + blockB);

    JournalEvent stopped = evC.stream().filter(e -> e.type().equals("stopped")).findFirst().orElseThrow();
    assertTrue(blockC.contains("\n  plan: next_phase " + stopped.phase()), blockC);
    assertTrue(blockC.contains("\n  escalated: 1\n") && blockC.contains(": stopped, needs a person: " + stopped.message()), blockC);
    assertTrue(blockC.contains("    - " + stopped.phase() + ": " + stopped.message() + "; next: " + stopped.get("next_action")), blockC);
    assertTrue(blockC.contains("→ pending (delta #1 by rules)"), blockC);

    // The vanished and the unreadable rootfs: one line each, and the others still printed (above).
    List<String> goneLines = text.lines().filter(l -> l.contains(gone.toString())).toList();
    assertEquals(List.of("bq2-gone  " + gone + "  (job 103): vanished: no such directory"), goneLines);
    List<String> brokenLines = text.lines().filter(l -> l.contains(broken.toString())).toList();
    assertEquals(1, brokenLines.size(), text);
    assertTrue(brokenLines.get(0).startsWith("bq2-broken  " + broken + "  (job 104): unreadable: --rootfs " + broken + ": no plan at "),
        brokenLines.get(0));

    // Totals: the sums of what the three rootfs's own files hold.
    List<JournalEvent> all = new ArrayList<>(evA);
    all.addAll(evB);
    all.addAll(evC);
    int inForce = 0;
    for (Path x : List.of(a, b, c)) inForce += TriedDeltas.inForce(RootfsLayout.of(x.resolve("rootfs")).overridesHistory()).size();
    assertTrue(text.contains("\ntotals: 3 of 5 rootfs read (1 vanished, 1 unreadable), 2 complete\n"), text);
    long fixed = all.stream().filter(e -> e.type().equals("failure")).count() - 1;
    assertTrue(text.contains("\n  " + count(all, "phase_complete") + " phases completed; " + (fixed + 1) + " failures (" + fixed
        + " fixed, 1 pending); " + inForce + " deltas in force (" + inForce + " new); 1 escalated; "), text);
    assertTrue(text.contains("\n  assistants: not called; time: ") && text.contains("(" + count(all, "runner_started") + " runner launches)"),
        text);

    // --json: each rootfs's summary is `bq2 summary`'s own, and the totals add up to the journals.
    InProcessCli.Result j = InProcessCli.run("fleet", "summary", "--fleet", fleet.path().toString(), "--json", "--since", "1h");
    assertEquals(ExitCodes.OK, j.exit(), j.toString());
    JsonNode json = Json.tree(Path.of("fleet-summary.json"), j.out(), "test");
    assertEquals(5, json.get("rootfs").size());
    assertEquals("vanished", json.get("rootfs").get(3).get("problem").asText());
    assertEquals("unreadable", json.get("rootfs").get(4).get("problem").asText());
    InProcessCli.Result one = InProcessCli.run("summary", "--rootfs", a.resolve("rootfs").toString(), "--repo", a.resolve("repo").toString(),
        "--json", "--since", "1h");
    JsonNode single = Json.tree(Path.of("summary.json"), one.out(), "test");
    JsonNode fromFleet = json.get("rootfs").get(0).get("summary");
    for (String field : List.of("sessions", "phases_completed", "failures", "deltas_in_force", "next_actions", "time", "next_phase")) {
      assertEquals(single.get(field), fromFleet.get(field), field);
    }
    double builds = all.stream().filter(e -> e.type().equals("runner_exited"))
        .mapToDouble(e -> ((Number) e.get("duration_s")).doubleValue()).sum();
    assertTrue(builds > 0);
    assertEquals(builds, json.get("totals").get("builds_s").asDouble(), 1e-6);
    assertEquals(count(all, "runner_started"), json.get("totals").get("runner_launches").asLong());
    assertEquals(2, json.get("totals").get("complete").asInt());
  }

  @Test
  void noFleetFileOrABadSinceIsOneLineAndExit2() {
    InProcessCli.Result none = InProcessCli.run("fleet", "summary", "--fleet", dir.resolve("nope.json").toString());
    assertEquals(ExitCodes.BAD_INPUT, none.exit(), none.toString());
    assertEquals(1, none.err().lines().count(), none.err());
    assertTrue(none.err().contains("no fleet file " + dir.resolve("nope.json")), none.err());
    InProcessCli.Result since = InProcessCli.run("fleet", "summary", "--fleet", dir.resolve("nope.json").toString(), "--since", "12x");
    assertEquals(ExitCodes.BAD_INPUT, since.exit(), since.toString());
    assertTrue(since.err().startsWith("bq2: --since 12x: "), since.err());
  }

  private Path demo(String name) {
    Path d = dir.resolve(name);
    InProcessCli.Result r = InProcessCli.run("demo", "--write-only", "--dir", d.toString());
    assertEquals(0, r.exit(), r.toString());
    return d;
  }

  private static FleetBuild build(Path demo, String job, String from, String... options) {
    Path rootfs = demo.resolve("rootfs");
    return new FleetBuild(rootfs.toString(), "bq2-" + demo.getFileName(), job, "2026-11-30T01:00:00Z", List.of(options), null,
        rootfs.resolve("var/lib/sysroot-build-logs/fleet-" + job + ".out").toString(), from);
  }

  /** The lines of one rootfs's block: from its head line to the next blank line. */
  private static String block(String text, String head) {
    int at = text.indexOf("\n" + head + "\n");
    assertTrue(at >= 0, head + " in " + text);
    int end = text.indexOf("\n\n", at + 1);
    return text.substring(at, end < 0 ? text.length() : end + 1);
  }

  private static long count(List<JournalEvent> events, String type) {
    return events.stream().filter(e -> e.type().equals(type)).count();
  }

  private static List<JournalEvent> events(Path sessions) throws IOException {
    List<JournalEvent> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(sessions)) {
      for (Path p : s.filter(Files::isDirectory).sorted().toList()) out.addAll(Journal.readEvents(p.resolve("events.jsonl")));
    }
    return out;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
