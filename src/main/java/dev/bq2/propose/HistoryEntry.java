package dev.bq2.propose;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.plan.PhaseOverride;

/**
 * One line of `sysroot-build-overrides.history.jsonl`: a delta applied to the overrides file,
 * where it came from, and (in a later line with the same `id`) what came of it.
 *
 * @param id stable id of the applied delta (`<UTC compact>-<hex8>`)
 * @param event `applied`, `outcome`, `reverted`, or `pruned` (`bq2 overrides prune` removed an
 *     entry for a phase or step the plan no longer has: `rationale` says which, `before` is the
 *     phase's entry before; lines of one prune share an id)
 * @param before the phase's overrides entry before the delta (null when there was none), so a
 *     revert restores it exactly
 * @param outcome for `outcome` lines: `fixed`, `same_failure`, `new_failure`
 */
@JsonPropertyOrder({
  "id", "event", "time", "report", "signature", "proposer", "phase", "step", "delta", "rationale",
  "outcome", "before"
})
public record HistoryEntry(
    String id,
    String event,
    String time,
    String report,
    String signature,
    String proposer,
    String phase,
    String step,
    Proposal delta,
    String rationale,
    String outcome,
    PhaseOverride before) {}
