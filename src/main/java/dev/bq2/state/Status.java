package dev.bq2.state;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a build stands (docs/formats.md#upstream-formats): the next incomplete step of the override-resolved plan,
 * computed from `completed_steps` (after fingerprint invalidation, so it names the step the
 * runner would really run next), never from the unreliable `current_phase`. Reads only; a
 * missing plan is an error, not "complete".
 */
public final class Status {
  private Status() {}

  /** The first step of the resolved plan not in `completed_steps`; both null when complete. */
  public record Next(String phase, String step) {
    public boolean complete() {
      return phase == null;
    }
  }

  public static Next next(BuildPlan resolved, Progress progress) {
    for (BuildPhase phase : resolved.phases()) {
      for (BuildStep step : phase.steps()) {
        if (!progress.isCompleted(phase.name(), step.name())) return new Next(phase.name(), step.name());
      }
    }
    return new Next(null, null);
  }

  public static PhaseStatus compute(RootfsLayout layout, boolean useOverrides) {
    return compute(layout, useOverrides, warning -> { });
  }

  /**
   * Overrides entries for phases or steps the plan no longer has are each reported to
   * {@code warn} and ignored (the runner refuses them); status still answers.
   */
  public static PhaseStatus compute(RootfsLayout layout, boolean useOverrides, Consumer<String> warn) {
    BuildPlan plan = PlanFiles.readPlan(layout.plan());
    BuildPlan resolved = useOverrides
        ? OverridesApplier.applyIgnoringStale(plan, PlanFiles.readOverrides(layout.overrides()), layout.overrides(), warn)
        : plan;
    StateStore store = new StateStore(layout.state());
    BuildState state = store.exists() ? store.load() : null;
    Progress progress = Progress.empty();
    if (state != null) {
      progress = Fingerprints.check(resolved, state).state().progress();
    }
    Next next = next(resolved, progress);
    FailureRef f = state == null ? null : state.progress().lastFailure();
    return new PhaseStatus(
        layout.plan().toString(),
        layout.state().toString(),
        layout.reportDir().toString(),
        state == null ? null : state.progress().currentPhase(),
        next.complete() ? PhaseStatus.COMPLETE : next.phase(),
        next.step(),
        f == null ? null : f.phase() + "/" + f.step(),
        f == null ? null : f.reportPath());
  }
}
