package dev.bq2.plan;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
    List<StaleOverrides.Entry> stale = StaleOverrides.find(plan, overrides);
    if (!stale.isEmpty()) throw refusal(where, stale);
    List<BuildPhase> phases = new ArrayList<>();
    for (BuildPhase phase : plan.phases()) {
      PhaseOverride po = overrides.phases().get(phase.name());
      phases.add(po == null ? phase : applyPhase(phase, po, where));
    }
    return PlanChecks.check(new BuildPlan(plan.formatVersion(), phases), "plan after applying " + where);
  }

  /**
   * For readers that only report (`sysroot-status`): each stale entry is one warning, then
   * ignored, as the existing tool ignores an override for a step it does not have. The runner
   * uses {@link #apply}, which refuses them.
   */
  public static BuildPlan applyIgnoringStale(BuildPlan plan, Overrides overrides, Path overridesFile,
      Consumer<String> warn) {
    if (overrides == null || overrides.isEmpty()) return plan;
    String where = overridesFile == null ? "overrides" : overridesFile.toString();
    List<StaleOverrides.Entry> stale = StaleOverrides.find(plan, overrides);
    for (StaleOverrides.Entry e : stale) {
      warn.accept(where + ": " + e.describe() + "; ignored here, refused by the runner: remove it with"
          + " `bq2 overrides prune` or fix its name");
    }
    return apply(plan, StaleOverrides.without(plan, overrides), overridesFile);
  }

  /**
   * Exit 2 naming the first stale entry, the closest existing name and the fix; the existing
   * tool's wording (`Unknown build phases in overrides`, ...) is kept where it has one.
   */
  private static RuntimeException refusal(String where, List<StaleOverrides.Entry> stale) {
    StaleOverrides.Entry e = stale.get(0);
    String what;
    if (e.step() == null) {
      what = "Unknown build phases in overrides: " + e.phase() + closest(" phase", e) + "; known phases: ";
    } else if (e.field().contains(".packages[")) {
      what = "Unknown package(s) " + e.step() + " in overrides allowlist" + closest(" step", e) + "; steps of "
          + e.phase() + ": ";
    } else {
      what = "unknown step " + e.step() + " in phase " + e.phase() + closest(" step", e) + "; known steps: ";
    }
    String field = e.field().contains(".packages[") ? "phases." + e.phase() + ".packages" : e.field();
    return Bq2Exception.badInput(where + ": field " + field + ": " + what + String.join(", ", e.known())
        + (stale.size() > 1 ? " (" + (stale.size() - 1) + " more stale entr" + (stale.size() == 2 ? "y" : "ies") + ")" : "")
        + "; fix the name, or remove the entries the plan no longer has with `bq2 overrides prune`");
  }

  private static String closest(String kind, StaleOverrides.Entry e) {
    return e.closest() == null ? "" : " (closest existing" + kind + ": " + e.closest() + ")";
  }

  private static BuildPhase applyPhase(BuildPhase phase, PhaseOverride po, String where) {
    String ns = po.namespace() != null ? po.namespace() : phase.namespace();
    String prefix = po.installPrefix() != null ? po.installPrefix() : phase.installPrefix();
    String destdir = Boolean.TRUE.equals(po.destdirClear()) ? null
        : po.destdir() != null ? po.destdir() : phase.destdir();
    Map<String, String> env = merge(phase.env(), po.env());

    List<BuildStep> steps = phase.steps();
    if (po.packages() != null) {
      Set<String> keep = Set.copyOf(po.packages());
      steps = steps.stream().filter(s -> keep.contains(s.name())).toList();
    }
    if (po.steps() != null) {
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
