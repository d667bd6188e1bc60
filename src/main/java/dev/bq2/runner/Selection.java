package dev.bq2.runner;

import dev.bq2.Bq2Exception;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which phases and steps a run covers (docs/formats.md#upstream-formats): `--phase all` or one exact name, then
 * `--package` names across those phases. Unlike the existing tool, package names are checked
 * against the selected phases before completed steps are dropped, so `--package X` for a
 * completed X is "nothing to do", not an error.
 */
public final class Selection {
  public static final String ALL = "all";

  private Selection() {}

  /** The selected phases, each keeping only the selected steps; phases left empty are dropped. */
  public static List<BuildPhase> select(BuildPlan resolved, String phase, List<String> packages) {
    List<BuildPhase> phases;
    if (phase == null || phase.equals(ALL)) {
      phases = resolved.phases();
    } else {
      phases = resolved.phase(phase).map(List::of).orElseThrow(() -> Bq2Exception.badInput(
          "--phase " + phase + ": Unknown build phase " + phase + "; known phases: "
              + String.join(", ", resolved.phaseNames()) + " (or all)"));
    }
    if (packages == null || packages.isEmpty()) return phases;
    Set<String> wanted = new LinkedHashSet<>(packages);
    Set<String> present = new LinkedHashSet<>();
    phases.forEach(p -> present.addAll(p.stepNames()));
    List<String> missing = wanted.stream().filter(n -> !present.contains(n)).toList();
    if (!missing.isEmpty()) {
      throw Bq2Exception.badInput("--package: Requested package(s) not found in selected phases: "
          + String.join(", ", missing) + "; steps there: " + String.join(", ", present));
    }
    List<BuildPhase> out = new ArrayList<>();
    for (BuildPhase p : phases) {
      List<BuildStep> keep = p.steps().stream().filter(s -> wanted.contains(s.name())).toList();
      if (!keep.isEmpty()) out.add(p.withSteps(keep));
    }
    return out;
  }
}
