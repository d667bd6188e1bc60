package dev.bq2.plan;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies overrides to a plan with exactly the existing tool's semantics (docs/formats.md#upstream-formats),
 * except that a name it would silently ignore (an unknown step) is refused here: a typo in an
 * override must not look like a fix that "did nothing".
 */
public final class OverridesApplier {
  private OverridesApplier() {}

  public static BuildPlan apply(BuildPlan plan, Overrides overrides, Path overridesFile) {
    if (overrides == null || overrides.isEmpty()) return plan;
    String where = overridesFile == null ? "overrides" : overridesFile.toString();
    List<String> unknown = overrides.phases().keySet().stream()
        .filter(name -> plan.phase(name).isEmpty()).toList();
    if (!unknown.isEmpty()) {
      throw Bq2Exception.badInput(where + ": field phases." + unknown.get(0)
          + ": Unknown build phases in overrides: " + String.join(", ", unknown)
          + "; known phases: " + String.join(", ", plan.phaseNames()));
    }
    List<BuildPhase> phases = new ArrayList<>();
    for (BuildPhase phase : plan.phases()) {
      PhaseOverride po = overrides.phases().get(phase.name());
      phases.add(po == null ? phase : applyPhase(phase, po, where));
    }
    return PlanChecks.check(new BuildPlan(plan.formatVersion(), phases), "plan after applying " + where);
  }

  private static BuildPhase applyPhase(BuildPhase phase, PhaseOverride po, String where) {
    String ns = po.namespace() != null ? po.namespace() : phase.namespace();
    String prefix = po.installPrefix() != null ? po.installPrefix() : phase.installPrefix();
    String destdir = Boolean.TRUE.equals(po.destdirClear()) ? null
        : po.destdir() != null ? po.destdir() : phase.destdir();
    Map<String, String> env = merge(phase.env(), po.env());

    List<BuildStep> steps = phase.steps();
    if (po.packages() != null) {
      Set<String> known = new LinkedHashSet<>(phase.stepNames());
      List<String> missing = po.packages().stream().filter(p -> !known.contains(p)).toList();
      if (!missing.isEmpty()) {
        throw Bq2Exception.badInput(where + ": field phases." + phase.name() + ".packages: Unknown package(s) "
            + String.join(", ", missing) + " in overrides allowlist; steps of " + phase.name() + ": "
            + String.join(", ", known));
      }
      Set<String> keep = Set.copyOf(po.packages());
      steps = steps.stream().filter(s -> keep.contains(s.name())).toList();
    }
    if (po.steps() != null) {
      Set<String> original = new LinkedHashSet<>(phase.stepNames());
      for (String name : po.steps().keySet()) {
        if (!original.contains(name)) {
          throw Bq2Exception.badInput(where + ": field phases." + phase.name() + ".steps." + name
              + ": unknown step " + name + " in phase " + phase.name() + "; known steps: "
              + String.join(", ", original));
        }
      }
      List<BuildStep> rewritten = new ArrayList<>();
      for (BuildStep s : steps) {
        StepOverride so = po.steps().get(s.name());
        rewritten.add(so == null ? s : applyStep(s, so));
      }
      steps = rewritten;
    }
    if (po.extraSteps() != null && !po.extraSteps().isEmpty()) {
      Set<String> present = new LinkedHashSet<>();
      steps.forEach(s -> present.add(s.name()));
      List<String> dups = po.extraSteps().stream().map(BuildStep::name).filter(present::contains).toList();
      if (!dups.isEmpty()) {
        throw Bq2Exception.badInput(where + ": field phases." + phase.name() + ".extra_steps: Overrides add duplicate step(s) in phase "
            + phase.name() + ": " + String.join(", ", dups) + "; rename them or drop the original with a packages allowlist");
      }
      List<BuildStep> all = new ArrayList<>(steps);
      all.addAll(po.extraSteps());
      steps = all;
    }
    return new BuildPhase(phase.name(), phase.description(), ns, prefix, destdir, env, steps);
  }

  public static BuildStep applyStep(BuildStep s, StepOverride so) {
    List<String> flags = new ArrayList<>(so.configureFlags() != null ? so.configureFlags() : s.configureFlags());
    flags.addAll(so.configureFlagsAdd());
    List<String> patches = new ArrayList<>(so.patches() != null ? so.patches() : s.patches());
    patches.addAll(so.patchesAdd());
    String destdir = Boolean.TRUE.equals(so.destdirClear()) ? null
        : so.destdir() != null ? so.destdir() : s.destdir();
    return new BuildStep(
        s.name(),
        s.strategy(),
        so.workdir() != null ? so.workdir() : s.workdir(),
        flags,
        patches,
        so.buildDir() != null ? so.buildDir() : s.buildDir(),
        so.installPrefix() != null ? so.installPrefix() : s.installPrefix(),
        destdir,
        merge(s.env(), so.env()),
        so.cleanBuild() != null ? so.cleanBuild() : s.cleanBuild(),
        so.sources() != null ? so.sources() : s.sources(),
        so.extractSources() != null ? so.extractSources() : s.extractSources(),
        s.packages(),
        so.content() != null ? so.content() : s.content(),
        s.sourcesDirectory());
  }

  private static Map<String, String> merge(Map<String, String> base, Map<String, String> over) {
    if (over == null || over.isEmpty()) return base;
    Map<String, String> m = new LinkedHashMap<>(base);
    m.putAll(over);
    return m;
  }
}
