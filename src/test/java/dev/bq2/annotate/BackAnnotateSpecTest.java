package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import dev.bq2.state.BuildState;
import dev.bq2.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Back-annotation of a plan-spec builder: real git repo, real runner runs, real patch. */
class BackAnnotateSpecTest {
  @TempDir Path tmp;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  BackAnnotator.Result annotate(Fixture f, boolean fromScratch, String... checks) throws Exception {
    Context ctx = new ContextDetector().rootfs(f.rootfs).repo(f.repo).detect();
    return new BackAnnotator(new BackAnnotator.Options(f.repo, null, null, List.of(checks), null, null, fromScratch, null,
        null, null, new PrintStream(out, true), false)).run(ctx);
  }

  Fixture completed() throws Exception {
    Fixture f = new Fixture(tmp);
    f.applyFixes();
    assertEquals(0, f.runner(), Files.readString(tmp.resolve("runner.log")));
    return f;
  }

  @Test
  void provenOverridesGoIntoTheSpecWithOneCommitThenReproduceFromScratch() throws Exception {
    Fixture f = completed();
    BuildPlan before = PlanFiles.readPlan(f.layout.plan());
    Overrides overrides = PlanFiles.readOverrides(f.layout.overrides());
    BuildState stateBefore = new StateStore(f.layout.state()).load();
    Files.writeString(f.repo.resolve("README.md"), "local edit, not ours\n");
    int commits = f.commits();

    BackAnnotator.Result r = annotate(f, true, "grep -q GREETING plan-spec.json");
    assertEquals(0, r.exitCode(), out.toString());
    assertEquals(commits + 1, f.commits(), "exactly one new commit");
    assertEquals("patches/patched/fix-input.patch\nplan-spec.json\n",
        f.git("show", "--format=", "--name-only", "HEAD"), "the commit holds the spec and the kept patch only");
    assertEquals(" M README.md\n", f.git("status", "--porcelain"), "the unrelated local edit is left alone, uncommitted");

    // the patch now lives in the repo, named through a repo var, so the spec stays portable
    assertArrayEquals(Files.readAllBytes(tmp.resolve("fix-input.patch")),
        Files.readAllBytes(f.repo.resolve("patches/patched/fix-input.patch")));
    PlanSpec spec = PlanSpec.read(f.spec);
    assertEquals(".", spec.vars().get("REPO"));
    String specText = Files.readString(f.spec);
    assertTrue(specText.contains("\"patches\": [\"${REPO}/patches/patched/fix-input.patch\"]"), specText);
    assertTrue(specText.contains("\"env\": {\"GREETING\": \"hello\"}"), specText);
    assertFalse(specText.contains(tmp.toString()), "no absolute path of this machine in the spec");

    // the new plan is the old plan with the overrides applied (the patch at its repo place)
    Path patchInRepo = f.repo.resolve("patches/patched/fix-input.patch");
    Overrides relocated = Json.MAPPER.readValue(Json.line(overrides).replace(tmp.resolve("fix-input.patch").toString(),
        patchInRepo.toString()), Overrides.class);
    assertEquals(List.of(), JsonDiff.of(OverridesApplier.apply(before, relocated, null), PlanFiles.readPlan(f.layout.plan())));
    assertEquals(List.of(), JsonDiff.of(PlanSpec.read(f.spec).generate(f.spec), PlanFiles.readPlan(f.layout.plan())));

    // the commit message: behaviour, packages, phase, architecture, why
    String msg = f.git("show", "-s", "--format=%B", "HEAD");
    assertTrue(msg.startsWith("Build greet, patched with proven fixes in p (testarch)"), msg);
    assertTrue(msg.contains("- p/greet: GREETING=\"hello\""), msg);
    assertTrue(msg.contains("why (rules): greet needs GREETING=hello"), msg);
    assertTrue(msg.contains("why (codex): input.txt needs the fix patch"), msg);
    assertTrue(msg.contains("checks passed: grep -q GREETING plan-spec.json"), msg);

    // overrides, history and state were archived and removed; the archive keeps the old plan
    assertFalse(Files.exists(f.layout.overrides()));
    assertFalse(Files.exists(f.layout.overridesHistory()));
    assertArrayEquals(Json.pretty(before).getBytes(), Files.readAllBytes(r.archive().resolve("sysroot-build-plan.json")));
    assertEquals(Json.pretty(overrides), Files.readString(r.archive().resolve("sysroot-build-overrides.json")));
    assertTrue(Files.exists(r.archive().resolve("sysroot-build-overrides.history.jsonl")));
    assertTrue(Files.exists(r.archive().resolve("sysroot-build-state.json")));

    // --verify-from-scratch ran the phase again without overrides, from a new state
    BuildState after = new StateStore(f.layout.state()).load();
    assertFalse(after.rootfsId().equals(stateBefore.rootfsId()), "a fresh state, not the old one");
    assertEquals(List.of("greet", "patched", "done"), after.progress().completedSteps().get("p"));
    assertEquals(null, after.progress().lastFailure());
    assertEquals(null, after.overridesDigest());
    BackAnnotator.Record rec = Json.read(r.archive().resolve("back-annotate.json"), BackAnnotator.Record.class, "");
    assertEquals(Boolean.TRUE, rec.reproduced());
    assertTrue(out.toString().contains("reproduced: phase(s) p complete from scratch without overrides"), out.toString());
  }

  @Test
  void failingCheckLeavesRepoOverridesAndStateByteForByteAsTheyWere() throws Exception {
    Fixture f = completed();
    Files.writeString(f.repo.resolve("notes.txt"), "untracked, mine\n");
    Map<String, String> repoBefore = f.repoState();
    Map<String, byte[]> files = rootfsFiles(f);

    // the first check sees the merged spec (it passes), the second fails
    BackAnnotator.Result r = annotate(f, false, "grep -q GREETING plan-spec.json", "echo spec broken >&2; exit 7");
    assertEquals(3, r.exitCode(), out.toString());
    assertTrue(out.toString().contains("check `echo spec broken >&2; exit 7` failed (exit 7)"), out.toString());
    assertTrue(out.toString().contains("spec broken"), "the check's output tail is shown");
    assertEquals(repoBefore, f.repoState(), "HEAD, index, refs and every file as before");
    assertFalse(Files.exists(f.repo.resolve("patches")), "the copied patch and its folder are gone");
    Map<String, byte[]> after = rootfsFiles(f);
    for (String k : files.keySet()) assertArrayEquals(files.get(k), after.get(k), k + " unchanged");
  }

  @Test
  void refusedWhileThePhaseHasNotCompletedWithTheseOverrides() throws Exception {
    Fixture f = new Fixture(tmp);
    f.applyFixes();
    // no runner ran yet: no state
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> annotate(f, false));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("no state file"), e.getMessage());

    // only the first fix: the phase fails at `patched`
    Files.delete(f.layout.overrides());
    Files.delete(f.layout.overridesHistory());
    new OverridesEditor(f.layout.overrides(), f.layout.overridesHistory()).apply(new Proposal("p", "greet", List.of(),
        Map.of("GREETING", "hello"), List.of(), null, null, "r", false), null, "rules");
    assertEquals(1, f.runner());
    e = assertThrows(Bq2Exception.class, () -> annotate(f, false));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("phase p (touched by the overrides) has not completed: step patched is not done"),
        e.getMessage());
  }

  @Test
  void refusedWhenTheOverridesChangedAfterTheRun() throws Exception {
    Fixture f = completed();
    new OverridesEditor(f.layout.overrides(), f.layout.overridesHistory()).apply(new Proposal("p", "done", List.of(),
        Map.of("EXTRA", "1"), List.of(), null, null, "untested", false), null, "rules");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> annotate(f, false));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("field overrides_digest") && e.getMessage().contains("not proven"), e.getMessage());
  }

  @Test
  void refusedWithUncommittedChangesToTheSpecThroughTheCli() throws Exception {
    Fixture f = completed();
    Files.writeString(f.spec, Files.readString(f.spec) + "\n");
    Map<String, String> before = f.repoState();
    Fixture.Exec e = f.bq2("back-annotate", "--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet");
    assertEquals(2, e.exit(), e.out());
    assertTrue(e.out().contains("uncommitted changes to plan-spec.json, which back-annotation would change; commit or stash them first"),
        e.out());
    assertEquals(before, f.repoState());
    assertTrue(Files.exists(f.layout.overrides()));
  }

  @Test
  void planWriteRegeneratesThePlanAtomicallyFromTheSpec() throws Exception {
    Fixture f = new Fixture(tmp);
    Files.delete(f.layout.plan());
    Fixture.Exec e = f.bq2("plan-write", "--plan-spec", f.spec.toString(), "--rootfs", f.rootfs.toString());
    assertEquals(0, e.exit(), e.out());
    assertEquals(List.of(), JsonDiff.of(PlanSpec.read(f.spec).generate(f.spec), PlanFiles.readPlan(f.layout.plan())));
    assertTrue(PlanFiles.readPlan(f.layout.plan()).phases().get(0).steps().get(0).workdir().equals(f.rootfs.resolve("work").toString()));

    Files.writeString(f.spec, Files.readString(f.spec).replace("${ROOTFS}/work", "${NOPE}/work"));
    e = f.bq2("plan-write", "--plan-spec", f.spec.toString(), "--plan", tmp.resolve("other.json").toString());
    assertEquals(2, e.exit(), e.out());
    assertTrue(e.out().contains(f.spec + ": unknown variable ${NOPE} in plan; declare it under \"vars\""), e.out());
    assertFalse(Files.exists(tmp.resolve("other.json")));
  }

  private static Map<String, byte[]> rootfsFiles(Fixture f) throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (Path p : List.of(f.layout.plan(), f.layout.overrides(), f.layout.overridesHistory(), f.layout.state())) {
      m.put(p.toString(), Files.readAllBytes(p));
    }
    return m;
  }
}
