package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `from_diff` (docs/formats.md#upstream-formats): round trips, its refusals word for word, and the ones we add. */
class OverridesDiffTest {
  @TempDir Path tmp;

  static BuildStep step(String name, List<String> flags, Map<String, String> env) {
    return new BuildStep(name, "autotools", "/w/" + name, flags, List.of("/p/" + name + ".patch"), "build", "/opt",
        null, env, false, null, null, null, null, null);
  }

  static BuildPlan base() {
    BuildPhase a = new BuildPhase("a", "Phase A", "host", "/usr", "/dest", Map.of("PATH", "/bin", "X", "1"),
        List.of(step("one", List.of("--x"), Map.of()), step("two", List.of("--old"), Map.of("K", "v")),
            step("three", List.of("--y"), Map.of())));
    BuildPhase b = new BuildPhase("b", "Phase B", "seed", "/opt/sysroot", null, Map.of(),
        List.of(step("four", List.of(), Map.of())));
    return new BuildPlan(2, List.of(a, b));
  }

  static BuildPlan edit(BuildPlan p, String phase, UnaryOperator<BuildPhase> f) {
    List<BuildPhase> out = new ArrayList<>();
    for (BuildPhase ph : p.phases()) out.add(ph.name().equals(phase) ? f.apply(ph) : ph);
    return new BuildPlan(p.formatVersion(), out);
  }

  static BuildPhase editStep(BuildPhase ph, String step, UnaryOperator<BuildStep> f) {
    List<BuildStep> out = new ArrayList<>();
    for (BuildStep s : ph.steps()) out.add(s.name().equals(step) ? f.apply(s) : s);
    return ph.withSteps(out);
  }

  static BuildStep with(BuildStep s, List<String> flags, List<String> patches, Map<String, String> env, String buildDir,
      String installPrefix, String destdir, boolean clean, String workdir, String content, List<String> packages) {
    return new BuildStep(s.name(), s.strategy(), workdir, flags, patches, buildDir, installPrefix, destdir, env, clean,
        s.sources(), s.extractSources(), packages, content, s.sourcesDirectory());
  }

  /** Applying the diff reproduces the target exactly, for every kind of change overrides can express. */
  @Test
  void diffThenApplyReproducesTheTarget() throws Exception {
    BuildPlan base = base();
    BuildStep extra = BuildStep.of("five", "shell", "/w");
    BuildPlan target = edit(base, "a", ph -> {
      Map<String, String> env = new LinkedHashMap<>(ph.env());
      env.put("X", "2");
      env.put("CC", "clang");
      BuildPhase p2 = new BuildPhase(ph.name(), ph.description(), "seed", "/", null, env, ph.steps());
      p2 = editStep(p2, "one", s -> with(s, List.of("--x", "--disable-werror"), List.of("/p/one.patch", "/p/extra.patch"),
          Map.of("CFLAGS", "-O2"), "out", "/usr/local", "/stage", true, "/w/one-2", "body", null));
      p2 = editStep(p2, "two", s -> with(s, List.of("--fresh"), List.of("/p/replaced.patch"), s.env(), s.buildDir(),
          s.installPrefix(), s.destdir(), false, s.workdir(), null, null));
      List<BuildStep> steps = new ArrayList<>(p2.steps().stream().filter(s -> !s.name().equals("three")).toList());
      steps.add(extra);
      return p2.withSteps(steps);
    });
    target = edit(target, "b", ph -> new BuildPhase(ph.name(), ph.description(), ph.namespace(), ph.installPrefix(),
        "/bq2-rootfs", ph.env(), ph.steps()));

    Overrides o = OverridesDiff.between(base, target);
    assertEquals(List.of(), JsonDiff.of(target, OverridesApplier.apply(base, o, null)));

    // the shape follows §2.3: tails as *_add, full replacement otherwise, allowlist in base order, extra steps appended
    var a = o.phases().get("a");
    assertEquals("seed", a.namespace());
    assertEquals(Boolean.TRUE, a.destdirClear());
    assertEquals(Map.of("X", "2", "CC", "clang"), a.env());
    assertEquals(List.of("one", "two"), a.packages());
    assertEquals(List.of("five"), a.extraSteps().stream().map(BuildStep::name).toList());
    assertEquals(List.of("--disable-werror"), a.steps().get("one").configureFlagsAdd());
    assertEquals(List.of("/p/extra.patch"), a.steps().get("one").patchesAdd());
    assertEquals(List.of("--fresh"), a.steps().get("two").configureFlags());
    assertEquals(List.of("/p/replaced.patch"), a.steps().get("two").patches());
    assertEquals("/bq2-rootfs", o.phases().get("b").destdir());

    // and the JSON written is what the runner reads back
    Path f = tmp.resolve("o.json");
    PlanFiles.writeOverrides(f, o);
    assertEquals(List.of(), JsonDiff.of(target, OverridesApplier.apply(base, PlanFiles.readOverrides(f), f)));
    assertTrue(Files.readString(f).contains("\"configure_flags_add\""));
  }

  @Test
  void identicalPlansGiveEmptyOverrides() {
    assertTrue(OverridesDiff.between(base(), base()).isEmpty());
  }

  @Test
  void refusalsOfTheExistingTool() {
    BuildPlan base = base();
    refused("Build plan format version mismatch (base 2, target 3)", base, new BuildPlan(3, base.phases()));
    refused("Target plan introduces new phase(s): c", base, new BuildPlan(2, List.of(base.phases().get(0),
        base.phases().get(1), new BuildPhase("c", "C", "host", "/", null, Map.of(), List.of()))));
    refused("Target plan removes phase(s): b", base, new BuildPlan(2, List.of(base.phases().get(0))));
    refused("Target plan reorders steps in phase a; expected one at index 0, got two", base,
        edit(base, "a", ph -> ph.withSteps(List.of(ph.steps().get(1), ph.steps().get(0), ph.steps().get(2)))));
    refused("Target plan reorders steps in phase a; expected three at index 2, got new", base,
        edit(base, "a", ph -> ph.withSteps(List.of(ph.steps().get(0), ph.steps().get(1), BuildStep.of("new", "shell", "/"),
            ph.steps().get(2)))));
    refused("Target plan reorders steps in phase a; unexpected step(s) reintroduced after append: one", base,
        edit(base, "a", ph -> ph.withSteps(List.of(ph.steps().get(0), ph.steps().get(1), ph.steps().get(2),
            BuildStep.of("new", "shell", "/"), ph.steps().get(0)))));
    refused("Target plan modifies package specs in phase a step one; overrides cannot represent package changes", base,
        edit(base, "a", ph -> editStep(ph, "one", s -> with(s, s.configureFlags(), s.patches(), s.env(), s.buildDir(),
            s.installPrefix(), s.destdir(), false, s.workdir(), null, List.of("zlib")))));
    refused("Target plan clears phase a step one build_dir, which overrides cannot remove", base,
        edit(base, "a", ph -> editStep(ph, "one", s -> with(s, s.configureFlags(), s.patches(), s.env(), null,
            s.installPrefix(), s.destdir(), false, s.workdir(), null, null))));
    refused("Target plan clears phase a step one install_prefix, which overrides cannot remove", base,
        edit(base, "a", ph -> editStep(ph, "one", s -> with(s, s.configureFlags(), s.patches(), s.env(), s.buildDir(),
            null, s.destdir(), false, s.workdir(), null, null))));
  }

  /** What the existing tool drops silently is refused too (so apply(diff) always equals the target), or dropped with --lossy. */
  @Test
  void silentLossesAreRefusedOrReportedWithLossy() {
    BuildPlan base = base();
    BuildPlan envRemoved = edit(base, "a", ph -> new BuildPhase(ph.name(), ph.description(), ph.namespace(),
        ph.installPrefix(), ph.destdir(), Map.of("PATH", "/bin"), ph.steps()));
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> OverridesDiff.between(base, envRemoved));
    assertTrue(e.getMessage().contains("Target plan removes env key(s) X of phase a"), e.getMessage());
    assertTrue(e.getMessage().contains("--lossy"), e.getMessage());
    List<String> lost = new ArrayList<>();
    assertTrue(OverridesDiff.lossy(base, envRemoved, lost::add).isEmpty());
    assertEquals(1, lost.size());

    refusedContaining("changes the description of phase b", base, edit(base, "b", ph -> new BuildPhase(ph.name(), "Other",
        ph.namespace(), ph.installPrefix(), ph.destdir(), ph.env(), ph.steps())));
    refusedContaining("reorders phases", base, new BuildPlan(2, List.of(base.phases().get(1), base.phases().get(0))));
    refusedContaining("changes the strategy of phase b step four (autotools → cmake)", base, edit(base, "b",
        ph -> editStep(ph, "four", s -> new BuildStep(s.name(), "cmake", s.workdir(), s.configureFlags(), s.patches(),
            s.buildDir(), s.installPrefix(), s.destdir(), s.env(), s.cleanBuild(), null, null, null, null, null))));
    refusedContaining("clears phase b step four workdir", base, edit(base, "b", ph -> editStep(ph, "four",
        s -> with(s, s.configureFlags(), s.patches(), s.env(), s.buildDir(), s.installPrefix(), s.destdir(), false, null,
            null, null))));
  }

  private static void refused(String message, BuildPlan base, BuildPlan target) {
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> OverridesDiff.between(base, target));
    assertEquals(message, e.getMessage());
    assertEquals(2, e.exitCode());
  }

  private static void refusedContaining(String part, BuildPlan base, BuildPlan target) {
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> OverridesDiff.between(base, target));
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  static String pretty(Object o) {
    return Json.pretty(o);
  }
}
