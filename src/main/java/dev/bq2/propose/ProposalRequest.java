package dev.bq2.propose;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PhaseOverride;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a proposer (rules or an assistant) sees about one failure.
 *
 * @param phase the effective (override-resolved) phase that failed
 * @param step the effective failing step
 * @param overridesInForce the overrides entry for this phase, null when none
 * @param tried deltas already tried for this signature, oldest first
 * @param repo the builder repo (patches come only from its `patches/`), null when unknown
 */
public record ProposalRequest(
    Diagnosis diagnosis,
    BuildPhase phase,
    BuildStep step,
    PhaseOverride overridesInForce,
    List<TriedDelta> tried,
    Path repo) {}
