package dev.bq2.propose;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.report.FailureReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds a {@link ProposalRequest}: the effective phase/step from plan + overrides, else from the report. */
public final class ProposalRequests {
  private ProposalRequests() {}

  /**
   * @param plan the plan, or null to take the (override-resolved) phase and step from the report
   * @param historyFile the overrides history, or null when there is none
   */
  public static ProposalRequest build(Diagnosis d, FailureReport report, BuildPlan plan, Overrides overrides,
      Path overridesFile, Path historyFile, Path repo) {
    Overrides ov = overrides == null ? Overrides.empty() : overrides;
    BuildPhase phase = null;
    BuildStep step = null;
    if (plan != null) {
      BuildPlan effective = OverridesApplier.apply(plan, ov, overridesFile);
      Optional<BuildPhase> p = effective.phase(d.phase());
      if (p.isPresent()) {
        phase = p.get();
        step = phase.step(d.step()).orElse(null);
      }
    }
    if (step == null && report != null) {
      step = fromReport(report.step());
      phase = phase != null ? phase : fromReport(report.phase(), step);
    }
    List<TriedDelta> tried = historyFile == null ? List.of() : TriedDeltas.forSignature(historyFile, d.signature());
    return new ProposalRequest(d, phase, step, ov.phases().get(d.phase()), tried, repo);
  }

  static BuildStep fromReport(FailureReport.ReportStep s) {
    if (s == null) return null;
    return new BuildStep(s.name(), s.strategy(), s.workdir(), s.configureFlags(), s.patches(), null,
        s.installPrefix(), s.destdir(), s.env(), false, null, null, null, null, null);
  }

  static BuildPhase fromReport(FailureReport.ReportPhase p, BuildStep step) {
    if (p == null) return null;
    return new BuildPhase(p.name(), "", p.namespace(), p.installPrefix(), p.destdir(),
        p.env() == null ? Map.of() : p.env(), step == null ? List.of() : List.of(step));
  }
}
