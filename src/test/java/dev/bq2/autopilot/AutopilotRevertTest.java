package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ExitCodes;
import dev.bq2.demo.DemoWriter;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.RuleProposer;
import dev.bq2.propose.RuleSet;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.RootfsLayout;
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
 * Issue 3 "must show": a delta that did not help is reverted. A user rule (tried before the
 * built-in ones) matches the real gcc ≥ 10 multiple-definition link failure but proposes a
 * useless env var; the same failure comes back, the delta is reverted, and the built-in
 * `-fcommon` rule fixes the build.
 */
class AutopilotRevertTest {
  @TempDir Path dir;

  static final String USELESS_RULE = """
      {
        "format_version": 1,
        "rules": [
          {
            "id": "unhelpful-guess",
            "classes": ["link"],
            "match": "multiple definition of",
            "action": {"env_set": {"BQ2_UNRELATED": "1"}},
            "rationale": "a guess that changes nothing the build reads"
          }
        ]
      }
      """;

  @Test
  @Timeout(90)
  void aDeltaThatDidNotHelpIsRevertedAndTheNextRuleFixesTheBuild() throws Exception {
    // The demo's libcounter package (two files both defining `counter_hits`), alone in a plan.
    Path rootfs = DemoWriter.write(dir.resolve("demo")).rootfs();
    RootfsLayout layout = Fixture.plan(rootfs, "libs", Map.of("CFLAGS", "-O2"),
        Fixture.Step.autotools("libcounter", rootfs.resolve("workspace/libcounter-1.0")));
    Path rulesFile = dir.resolve("my-rules.json");
    Files.writeString(rulesFile, USELESS_RULE);
    Context ctx = Fixture.context(dir, rootfs);

    Fixture.Run run = Fixture.iterate(ctx, List.of(new RuleProposer(RuleSet.load(rulesFile))), 3, 10, null, false);

    assertEquals(ExitCodes.OK, run.result.exitCode(), run.toString());
    assertEquals(3, run.result.iterations(), run.toString());
    assertEquals(2, run.result.applied(), run.toString());
    assertEquals(1, run.result.reverted(), run.toString());
    assertEquals(1, run.result.inForce(), "the stop line counts the deltas in force, not every delta applied");
    assertEquals("1 delta(s) in force (2 applied this run, 1 reverted)", run.result.deltas());
    assertEquals(Fixture.json("""
        {"phases": {"libs": {"steps": {"libcounter":
          {"env": {"CFLAGS": "-O2 -fcommon"}, "clean_build": true}}}}}
        """), Fixture.overrides(layout), "the useless delta is gone; only the fix remains");

    List<HistoryEntry> h = Fixture.history(layout);
    assertEquals(List.of("applied", "reverted", "outcome", "applied", "outcome"), h.stream().map(HistoryEntry::event).toList(),
        h.toString());
    String uselessId = h.get(0).id();
    assertEquals(Map.of("BQ2_UNRELATED", "1"), h.get(0).delta().env());
    assertEquals("same_failure", h.get(2).outcome());
    assertEquals(uselessId, h.get(1).id());
    assertEquals(uselessId, h.get(2).id());
    assertEquals("-O2 -fcommon", h.get(3).delta().env().get("CFLAGS"));
    assertEquals(h.get(0).signature(), h.get(3).signature(), "the same failure");
    assertEquals("fixed", h.get(4).outcome());

    List<Path> sessions = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions"));
    assertEquals(1, sessions.size());
    List<JournalEvent> ev = Fixture.events(sessions.get(0));
    JournalEvent reverted = ev.stream().filter(e -> e.type().equals("reverted")).findFirst().orElseThrow();
    assertEquals(uselessId, reverted.get("id"));
    assertEquals(2, reverted.iteration());
    assertEquals(List.of("same_failure", "fixed"),
        ev.stream().filter(e -> e.type().equals("outcome")).map(e -> e.get("outcome")).toList());
    String md = Files.readString(sessions.get(0).resolve("journal.md"));
    assertTrue(md.contains("reverted: 1"), md);
    assertTrue(md.contains("→ same_failure") && md.contains("→ fixed"), md);

    Process p = new ProcessBuilder(rootfs.resolve("usr/bin/counter-demo").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  static final String NOISY_RULE = """
      {
        "format_version": 1,
        "rules": [
          {
            "id": "noisy-guess",
            "classes": [],
            "match": "boom: the root error",
            "action": {"env_set": {"NOISE": "1"}},
            "rationale": "a guess that only adds a second error after the first"
          }
        ]
      }
      """;

  /**
   * Issue 8 §5: a delta after which the same decisive error comes back is reverted even when other
   * lines moved the signature (here the delta makes a second error appear after the first).
   */
  @Test
  @Timeout(90)
  void aDeltaAfterWhichTheSameRootErrorComesBackIsRevertedEvenWithANewSignature() throws Exception {
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    RootfsLayout layout = Fixture.plan(rootfs, "p", Map.of(), Fixture.Step.shell("pkg",
        "echo 'boom: the root error: error: widget.c needs a part this tree lacks' >&2; "
            + "if [ -n \"$NOISE\" ]; then echo 'gadget.h:1:2: fatal error: gadget-extra.h: No such file or directory' >&2; fi; exit 1"));
    Path rulesFile = dir.resolve("noisy-rules.json");
    Files.writeString(rulesFile, NOISY_RULE);
    Context ctx = Fixture.context(dir, rootfs);

    Fixture.Run run = Fixture.iterate(ctx, List.of(new RuleProposer(RuleSet.load(rulesFile))), 3, 10, null, false);

    assertEquals(ExitCodes.NEEDS_PERSON, run.result.exitCode(), run.toString());
    List<HistoryEntry> h = Fixture.history(layout);
    assertEquals(List.of("applied", "reverted", "outcome"), h.stream().map(HistoryEntry::event).toList(), h.toString());
    assertEquals("same_failure", h.get(2).outcome());
    assertEquals(0, run.result.inForce(), run.toString());
    assertTrue(run.out.contains("0 delta(s) in force, 1 reverted"), run.out);
    assertFalse(Files.readString(layout.overrides()).contains("NOISE"), "the useless delta is gone");
  }
}
