package dev.bq2.annotate;

import dev.bq2.Bq2Exception;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import dev.bq2.state.StateStore;
import java.nio.file.Files;
import java.util.List;

/**
 * Whether the overrides in force are proven: every phase they touch completed (per
 * `completed_steps` over the override-resolved plan), and completed with exactly these overrides
 * and this plan (the state's digests equal the files' digests). Back-annotating anything less
 * would commit a guess.
 */
public final class Completion {
  /** What was proven: the plan and overrides read, the phases touched (plan order). */
  public record Proven(BuildPlan plan, Overrides overrides, BuildPlan resolved, List<String> phases,
      BuildState state, String planDigest, String overridesDigest) {}

  private Completion() {}

  /** The proven inputs, or an exit-2 refusal saying what is missing and what to run. */
  public static Proven check(RootfsLayout layout) {
    BuildPlan plan = PlanFiles.readPlan(layout.plan());
    Overrides overrides = PlanFiles.readOverrides(layout.overrides());
    BuildPlan resolved = OverridesApplier.apply(plan, overrides, layout.overrides());
    List<String> phases = OverridesDiff.touchedPhases(plan, overrides);
    String planDigest = StateStore.fileDigest(layout.plan());
    String overridesDigest = StateStore.fileDigest(layout.overrides());
    if (overrides.isEmpty()) return new Proven(plan, overrides, resolved, phases, null, planDigest, overridesDigest);
    if (!Files.exists(layout.state())) {
      throw Bq2Exception.badInput(layout.state() + ": no state file, so nothing proves that phase(s) "
          + String.join(", ", phases) + " complete with the overrides in " + layout.overrides()
          + "; run `bq2 iterate` until they complete, then back-annotate");
    }
    BuildState state = new StateStore(layout.state()).load();
    for (String name : phases) {
      BuildPhase phase = resolved.phase(name).orElseThrow();
      for (BuildStep step : phase.steps()) {
        if (!state.progress().isCompleted(name, step.name())) {
          throw Bq2Exception.badInput(layout.state() + ": field progress.completed_steps." + name
              + ": phase " + name + " (touched by the overrides) has not completed: step " + step.name()
              + " is not done; run `bq2 iterate --rootfs " + layout.rootfs() + "` until it completes, then back-annotate");
        }
      }
    }
    if (!overridesDigest.equals(state.overridesDigest())) {
      throw Bq2Exception.badInput(layout.state() + ": field overrides_digest: " + abbrev(state.overridesDigest())
          + " differs from the overrides file " + layout.overrides() + " (" + abbrev(overridesDigest)
          + "): the phase completed with other overrides, so these are not proven; rerun the phase "
          + "(`bq2 iterate`) with the overrides as they are now, then back-annotate");
    }
    if (state.planDigest() != null && !state.planDigest().equals(planDigest)) {
      throw Bq2Exception.badInput(layout.state() + ": field plan_digest: " + abbrev(state.planDigest())
          + " differs from the plan file " + layout.plan() + " (" + abbrev(planDigest)
          + "): the plan changed after the phase completed (an interrupted back-annotation?); check "
          + "the newest session folder's back-annotate/ and restore the plan, or rerun the phase");
    }
    return new Proven(plan, overrides, resolved, phases, state, planDigest, overridesDigest);
  }

  static String abbrev(String digest) {
    return digest == null ? "none" : digest.substring(0, Math.min(12, digest.length()));
  }
}
