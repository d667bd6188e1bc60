package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ExitCodes;
import dev.bq2.demo.DemoWriter;
import dev.bq2.json.Json;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.RuleProposer;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 "must show": the loop fixes real gcc/make failures of several classes. The demo's six
 * C/C++ packages are built for real by our runner (a child JVM started detached by the
 * autopilot); five fail with different failures, and the built-in rules fix each with one delta.
 */
class AutopilotDemoTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void fixesFiveRealBuildFailuresOfFourClassesAndJournalsEverything() throws Exception {
    DemoWriter.Demo demo = DemoWriter.write(dir.resolve("demo"));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    Context ctx = new ContextDetector().fsRoot(fsRoot).cwd(dir).env(Map.of())
        .rootfs(demo.rootfs()).repo(demo.repo()).detect();
    RootfsLayout layout = ctx.layout();
    byte[] plan = Files.readAllBytes(layout.plan());

    Fixture.Run run = Fixture.iterate(ctx, List.of(RuleProposer.withDefaults()), 3, 30, null, true);

    assertEquals(ExitCodes.OK, run.result.exitCode(), run.toString());
    assertEquals(5, run.result.applied(), run.toString());
    assertEquals(7, run.result.iterations(), "one runner per delta, plus one successful run per phase: " + run);
    assertEquals(PhaseStatus.COMPLETE, Status.compute(layout, true).nextPhase());
    assertArrayEquals(plan, Files.readAllBytes(layout.plan()), "the plan file is never touched");

    // Exactly the five minimal deltas, nothing else.
    assertEquals(Fixture.json("""
        {"phases": {
          "core-libs": {"steps": {
            "libcounter": {"env": {"CFLAGS": "-O2 -fcommon"}, "clean_build": true},
            "libstrict": {"clean_build": true, "configure_flags_add": ["--disable-werror"]},
            "mathtool": {"env": {"LIBS": "-lm"}}}},
          "userland": {"steps": {
            "cxxutil": {"env": {"CXXFLAGS": "-O2 -include cstdint"}, "clean_build": true},
            "optfeat": {"configure_flags_add": ["--without-foo"]}}}}}
        """), Fixture.overrides(layout));
    List<HistoryEntry> history = Fixture.history(layout);
    assertEquals(5, history.stream().filter(h -> h.event().equals("applied")).count());
    assertEquals(5, history.stream().filter(h -> "fixed".equals(h.outcome())).count(), "every delta is proven: " + history);

    // Two sessions in the repo's session/ folder, one per phase, each a complete record.
    List<Path> sessions = Fixture.sessions(demo.repo().resolve("session"));
    assertEquals(2, sessions.size(), sessions.toString());
    assertTrue(sessions.get(0).getFileName().toString().matches("\\d{8}T\\d{6}Z-core-libs"), sessions.toString());
    assertTrue(sessions.get(1).getFileName().toString().matches("\\d{8}T\\d{6}Z-userland"), sessions.toString());
    assertEquals(sessions, run.result.journals());

    List<JournalEvent> all = new java.util.ArrayList<>();
    for (Path s : sessions) {
      List<JournalEvent> ev = Fixture.events(s);
      all.addAll(ev);
      assertEquals("session_started", ev.get(0).type());
      assertEquals("phase_complete", ev.get(ev.size() - 1).type());
      String md = Files.readString(s.resolve("journal.md"));
      assertTrue(md.contains("- Status: phase complete"), md);
      assertTrue(md.contains("## Timeline (UTC)") && md.contains("## Attempts") && md.contains("## Failures")
          && md.contains("## Hypotheses and next actions"), md);
      assertTrue(md.contains("- [x] hypothesis:"), "the applied deltas are ticked off: " + md);
      // The timeline names a delta's step once: "`applied` #1 core-libs/libcounter: CFLAGS=…".
      for (JournalEvent a : ev.stream().filter(e -> e.type().equals("applied")).toList()) {
        String where = a.phase() + "/" + a.step();
        assertTrue(md.contains("`applied` #" + a.iteration() + " " + where + ": " + a.message().substring(where.length() + 2) + "\n"), md);
        assertFalse(md.contains(where + ": " + where + ":"), md);
      }
      for (JournalEvent f : ev.stream().filter(e -> e.type().equals("failure")).toList()) {
        Path reportCopy = Path.of((String) f.get("report_copy"));
        Path logCopy = Path.of((String) f.get("log_copy"));
        assertEquals(s.resolve("reports"), reportCopy.getParent());
        assertEquals(s.resolve("logs"), logCopy.getParent());
        assertTrue(Files.isRegularFile(reportCopy) && Files.isRegularFile(logCopy), f.toString());
        Json.tree(reportCopy, Files.readString(reportCopy), "test");
        @SuppressWarnings("unchecked")
        List<String> excerpt = (List<String>) f.get("excerpt");
        assertFalse(excerpt.isEmpty(), f.toString());
        for (String line : excerpt) {
          assertTrue(md.contains(line), "journal.md shows the excerpt line " + line);
        }
        assertTrue(Files.readString(logCopy).contains(excerpt.get(excerpt.size() - 1).strip()),
            "the excerpt comes from the copied log");
      }
    }
    List<String> classes = all.stream().filter(e -> e.type().equals("failure"))
        .map(e -> e.step() + ":" + e.get("class")).toList();
    assertEquals(List.of("libcounter:link", "libstrict:compile", "mathtool:link", "cxxutil:compile", "optfeat:configure"),
        classes);
    String excerpts = all.stream().filter(e -> e.type().equals("failure")).map(e -> e.get("excerpt").toString())
        .reduce("", String::concat);
    for (String decisive : List.of("multiple definition of", "-Werror", "undefined reference to", "uint32_t",
        "configure: error:")) {
      assertTrue(excerpts.contains(decisive), decisive + " in " + excerpts);
    }

    // What was built runs.
    for (String program : List.of("hello", "counter-demo", "strict-demo", "hyp", "checksum", "optfeat")) {
      Path bin = demo.rootfs().resolve("usr/bin").resolve(program);
      Process p = new ProcessBuilder(bin.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), program);
      assertEquals(0, p.exitValue(), program + ": " + out);
      assertFalse(out.isBlank(), program + " printed nothing");
    }
    assertTrue(Files.readString(demo.rootfs().resolve("etc/bq2-demo-release")).contains("NAME=bq2-demo"));
  }
}
