package dev.bq2.plan;

import dev.bq2.EditDistance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Overrides entries for things the plan no longer has: a phase, a step (`steps.NAME`), or a name
 * in a `packages` allowlist. They appear when the builder regenerates the plan (a package
 * renamed or dropped). The runner refuses them (a typo must not look like a fix that did
 * nothing); `sysroot-status` warns and ignores them, as the existing tool ignores unknown step
 * entries; `bq2 overrides prune` removes them.
 */
public final class StaleOverrides {
  private StaleOverrides() {}

  /**
   * One stale entry.
   *
   * @param field the JSON path of the entry (`phases.base.steps.zlib`)
   * @param closest the most similar existing name (null when there is none)
   */
  public record Entry(String phase, String step, String field, String closest, List<String> known) {
    /** `phases.base.steps.zlb: step zlb is not in phase base of the plan (closest existing step: zlib)`. */
    public String describe() {
      String kind = step == null ? "phase " + phase + " is not in the plan"
          : field.endsWith(".steps." + step) ? "step " + step + " is not in phase " + phase + " of the plan"
          : "allowlisted package " + step + " is not a step of phase " + phase + " of the plan";
      String what = step == null ? "phase" : "step";
      return field + ": " + kind + (closest == null ? "" : " (closest existing " + what + ": " + closest + ")");
    }
  }

  /** The stale entries of {@code overrides} against {@code plan}, in file order. */
  public static List<Entry> find(BuildPlan plan, Overrides overrides) {
    List<Entry> out = new ArrayList<>();
    if (overrides == null) return out;
    for (Map.Entry<String, PhaseOverride> e : overrides.phases().entrySet()) {
      String name = e.getKey();
      PhaseOverride po = e.getValue();
      BuildPhase phase = plan.phase(name).orElse(null);
      if (phase == null) {
        out.add(new Entry(name, null, "phases." + name, closest(name, plan.phaseNames()), plan.phaseNames()));
        continue;
      }
      List<String> steps = phase.stepNames();
      if (po.packages() != null) {
        for (int i = 0; i < po.packages().size(); i++) {
          String p = po.packages().get(i);
          if (!steps.contains(p)) {
            out.add(new Entry(name, p, "phases." + name + ".packages[" + i + "]", closest(p, steps), steps));
          }
        }
      }
      if (po.steps() != null) {
        for (String s : po.steps().keySet()) {
          if (!steps.contains(s)) out.add(new Entry(name, s, "phases." + name + ".steps." + s, closest(s, steps), steps));
        }
      }
    }
    return out;
  }

  /**
   * {@code overrides} without its stale entries. An allowlist left with no existing name is
   * removed whole (an empty allowlist would drop every step of the phase); a phase entry left
   * with nothing in it is removed.
   */
  public static Overrides without(BuildPlan plan, Overrides overrides) {
    if (find(plan, overrides).isEmpty()) return overrides;
    Map<String, PhaseOverride> phases = new LinkedHashMap<>();
    for (Map.Entry<String, PhaseOverride> e : overrides.phases().entrySet()) {
      BuildPhase phase = plan.phase(e.getKey()).orElse(null);
      if (phase == null) continue;
      PhaseOverride po = e.getValue();
      Set<String> steps = new LinkedHashSet<>(phase.stepNames());
      List<String> packages = po.packages();
      if (packages != null) {
        packages = packages.stream().filter(steps::contains).toList();
        if (packages.isEmpty()) packages = null;
      }
      Map<String, StepOverride> so = po.steps();
      if (so != null) {
        Map<String, StepOverride> kept = new LinkedHashMap<>();
        so.forEach((k, v) -> {
          if (steps.contains(k)) kept.put(k, v);
        });
        so = kept.isEmpty() ? null : kept;
      }
      PhaseOverride cleaned = new PhaseOverride(po.namespace(), po.installPrefix(), po.destdir(), po.destdirClear(),
          po.env(), packages, po.extraSteps(), so);
      if (!cleaned.isNoop() || cleaned.equals(po)) phases.put(e.getKey(), cleaned);
    }
    return new Overrides(phases);
  }

  /** The name in {@code names} with the smallest edit distance to {@code name}; the first on ties. */
  public static String closest(String name, Collection<String> names) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String n : names) {
      int d = EditDistance.between(name, n);
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return best;
  }

}
