package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 4: overrides entries for phases and steps the plan no longer has (a regenerated
 * plan). The runner refuses them naming the closest existing name; `sysroot-status` answers and
 * warns once per entry; `bq2 overrides prune` removes them and records each removal.
 */
class StaleOverridesTest {
  @TempDir Path dir;
  TestRootfs fs;

  /** gamma's fix (live), plus three stale entries: an allowlisted package, a step, a phase. */
  static final String STALE = """
      {"phases": {
        "host-setup": {
          "packages": ["make-dirs", "alpha", "beta", "gamma", "zeta"],
          "steps": {"gamma": {"env": {"GAMMA_OK": "1"}}, "gama": {"env": {"X": "1"}}}
        },
        "host-setpu": {"env": {"A": "1"}}
      }}
      """;

  @BeforeEach
  void setUp() throws Exception {
    fs = TestRootfs.withPlan(dir.resolve("rootfs"), "shell-two-phases.json");
  }

  @Test
  void runnerRefusesAStaleStepNamingTheClosestStep() throws Exception {
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}},"
        + " \"gama\": {\"env\": {\"X\": \"1\"}}}}}}");
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(fs.layout.overrides() + ": field phases.host-setup.steps.gama: unknown step gama in phase"
        + " host-setup (closest existing step: gamma); known steps: make-dirs, alpha, beta, gamma; fix the name, or"
        + " remove the entries the plan no longer has with `bq2 overrides prune`"), r.err());
    assertFalse(Files.exists(fs.work.resolve("out")), "nothing ran");
    assertFalse(Files.exists(fs.layout.state()), "nothing was written");
  }

  @Test
  void statusAnswersAndWarnsOncePerStaleEntry() throws Exception {
    fs.writeOverrides(STALE);
    TestRootfs.Result s = fs.status();
    assertEquals(0, s.exit(), s.toString());
    assertTrue(s.out().contains("next_phase=host-setup\nnext_step=make-dirs\n"), s.out());
    String o = fs.layout.overrides().toString();
    String fix = "; ignored here, refused by the runner: remove it with `bq2 overrides prune` or fix its name";
    assertEquals(List.of(
        "bq2: warning: " + o + ": phases.host-setup.packages[4]: allowlisted package zeta is not a step of phase host-setup"
            + " of the plan (closest existing step: beta)" + fix,
        "bq2: warning: " + o + ": phases.host-setup.steps.gama: step gama is not in phase host-setup of the plan"
            + " (closest existing step: gamma)" + fix,
        "bq2: warning: " + o + ": phases.host-setpu: phase host-setpu is not in the plan (closest existing phase: host-setup)"
            + fix), s.err().lines().toList());

    // The live entries still count: after a run with gamma's fix (stale entries pruned by hand
    // here), status with the stale file again says host-setup is done.
    String live = "{\"phases\": {\"host-setup\": {\"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}}}}}}";
    fs.writeOverrides(live);
    assertEquals(0, fs.runner("--phase", "host-setup").exit());
    fs.writeOverrides(STALE);
    TestRootfs.Result after = fs.status("--json");
    assertEquals(0, after.exit(), after.toString());
    assertEquals("sysroot-from-seed", Json.tree(Path.of("stdout"), after.out(), "t").get("next_phase").asText(),
        "gamma's definition is the same with and without the stale entries: it stays completed");
    assertEquals(3, after.err().lines().count(), after.err());
    // A broken overrides file is still refused by status: only stale names are forgiven.
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"env\": {\"A\": 1}}}}");
    assertEquals(2, fs.status().exit());
  }

  @Test
  void pruneRemovesStaleEntriesAtomicallyAndRecordsEachInTheHistory() throws Exception {
    fs.writeOverrides(STALE);
    Files.setPosixFilePermissions(fs.layout.overrides(), PosixFilePermissions.fromString("rw-rw----"));
    ChildJvm prune = ChildJvm.run(dir, dir.resolve("prune"), Duration.ofMinutes(2),
        "overrides", "prune", "--rootfs", fs.root.toString());
    assertEquals(0, prune.exit(), prune.toString());
    String out = prune.stdout();
    assertTrue(out.contains("overrides: removed phases.host-setup.packages[4]: allowlisted package zeta"), out);
    assertTrue(out.contains("overrides: removed phases.host-setup.steps.gama: step gama is not in phase host-setup"), out);
    assertTrue(out.contains("overrides: removed phases.host-setpu: phase host-setpu is not in the plan"), out);
    assertTrue(out.contains("overrides: 3 stale entries removed from " + fs.layout.overrides() + "; recorded in "
        + fs.layout.overridesHistory()), out);

    Overrides left = PlanFiles.readOverrides(fs.layout.overrides());
    assertEquals(List.of("host-setup"), List.copyOf(left.phases().keySet()));
    assertEquals(List.of("make-dirs", "alpha", "beta", "gamma"), left.phases().get("host-setup").packages());
    assertEquals(List.of("gamma"), List.copyOf(left.phases().get("host-setup").steps().keySet()));
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fs.layout.overrides())),
        "the rewritten overrides file keeps its mode");
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fs.layout.overridesHistory())));

    List<String> history = Files.readAllLines(fs.layout.overridesHistory());
    assertEquals(3, history.size(), history.toString());
    String id = null;
    for (String line : history) {
      JsonNode h = Json.tree(fs.layout.overridesHistory(), line, "t");
      assertEquals("pruned", h.get("event").asText());
      assertEquals("bq2 overrides prune", h.get("proposer").asText());
      if (id == null) id = h.get("id").asText();
      assertEquals(id, h.get("id").asText(), "one prune, one id");
    }
    JsonNode step = Json.tree(fs.layout.overridesHistory(), history.get(1), "t");
    assertEquals("host-setup", step.get("phase").asText());
    assertEquals("gama", step.get("step").asText());
    assertTrue(step.get("rationale").asText().contains("closest existing step: gamma"), step.toString());
    assertTrue(step.get("before").get("steps").has("gama"), "the entry as it was, for a person to restore");
    assertFalse(Json.tree(fs.layout.overridesHistory(), history.get(2), "t").has("step"));

    // Now the runner takes the overrides; a second prune finds nothing and writes nothing.
    TestRootfs.Result run = fs.runner("--phase", "host-setup");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(List.of("make-dirs", "alpha", "beta", "gamma"), fs.trace());
    byte[] overridesBefore = Files.readAllBytes(fs.layout.overrides());
    ChildJvm again = ChildJvm.run(dir, dir.resolve("again"), Duration.ofMinutes(2),
        "overrides", "prune", "--rootfs", fs.root.toString());
    assertEquals(0, again.exit(), again.toString());
    assertTrue(again.stdout().contains("overrides: nothing stale in " + fs.layout.overrides()), again.stdout());
    assertEquals(3, Files.readAllLines(fs.layout.overridesHistory()).size());
    assertArrayEquals(overridesBefore, Files.readAllBytes(fs.layout.overrides()));

    // `overrides history` still lists applied deltas only (there are none).
    ChildJvm hist = ChildJvm.run(dir, dir.resolve("hist"), Duration.ofMinutes(2),
        "overrides", "history", "--rootfs", fs.root.toString());
    assertEquals(0, hist.exit(), hist.toString());
    assertTrue(hist.stdout().contains("(0 delta(s))"), hist.stdout());
  }
  /** A delta whose step left the plan is, once pruned, no longer in force: not listed as such, not revertible. */
  @Test
  void aPrunedDeltaIsNoLongerInForce() throws Exception {
    dev.bq2.propose.OverridesEditor editor = new dev.bq2.propose.OverridesEditor(fs.layout.overrides(), fs.layout.overridesHistory());
    editor.apply(new dev.bq2.propose.Proposal("host-setup", "gamma", List.of(), java.util.Map.of("GAMMA_OK", "1"),
        List.of(), null, null, "live", false), null, "test");
    editor.apply(new dev.bq2.propose.Proposal("host-setup", "gama", List.of(), java.util.Map.of("X", "1"),
        List.of(), null, null, "its step left the plan", false), null, "test");
    assertEquals(2, dev.bq2.annotate.Provenance.read(fs.layout.overridesHistory()).inForce().size());

    assertEquals(1, editor.prune(PlanFiles.readPlan(fs.layout.plan())).size());

    dev.bq2.annotate.Provenance prov = dev.bq2.annotate.Provenance.read(fs.layout.overridesHistory());
    assertEquals(List.of("gamma"), prov.inForce().stream().map(dev.bq2.annotate.Provenance.Delta::step).toList());
    assertTrue(prov.deltas().get(1).pruned(), prov.deltas().toString());
    assertEquals(List.of(), prov.handEdited(PlanFiles.readOverrides(fs.layout.overrides())),
        "the overrides are exactly what the deltas in force produce");
    byte[] before = Files.readAllBytes(fs.layout.overrides());
    ChildJvm revert = ChildJvm.run(dir, dir.resolve("revert"), Duration.ofMinutes(2),
        "overrides", "revert", "2", "--rootfs", fs.root.toString());
    assertEquals(0, revert.exit(), revert.toString());
    assertTrue(revert.stdout().contains("was removed by `bq2 overrides prune`"), revert.stdout());
    assertArrayEquals(before, Files.readAllBytes(fs.layout.overrides()), "no stale entry written back");
  }

  /** Prune edits the user's file: only the stale entries go; keys of their own stay. */
  @Test
  void pruneKeepsTheUsersOwnKeysAndText() throws Exception {
    String text = """
        {
          "note": "kept by hand: why gamma needs GAMMA_OK",
          "phases": {
            "host-setup": {"steps": {"gamma": {"env": {"GAMMA_OK": "1"}}, "gama": {"env": {"X": "1"}}}}
          }
        }
        """;
    Files.writeString(fs.layout.overrides(), text);
    dev.bq2.propose.OverridesEditor editor = new dev.bq2.propose.OverridesEditor(fs.layout.overrides(), fs.layout.overridesHistory());
    assertEquals(1, editor.prune(PlanFiles.readPlan(fs.layout.plan())).size());
    String after = Files.readString(fs.layout.overrides());
    assertTrue(after.contains("\"note\": \"kept by hand: why gamma needs GAMMA_OK\""), after);
    assertEquals(java.util.Map.of("GAMMA_OK", "1"),
        PlanFiles.readOverrides(fs.layout.overrides()).phases().get("host-setup").steps().get("gamma").env(), after);
    assertFalse(after.contains("gama\""), after);
  }
}
