package dev.bq2.annotate;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PhaseOverride;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.TriedDeltas;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the overrides in force came from, read back from the history file: every applied delta
 * numbered 1… in order (the numbers `bq2 overrides revert N` takes), with its latest outcome and
 * whether it was reverted or pruned; and for each phase entry of the overrides file, whether the deltas
 * in force account for it exactly or it was also edited by hand.
 */
public final class Provenance {
  /** One applied delta. */
  @JsonPropertyOrder({"number", "id", "time", "phase", "step", "change", "proposer", "report", "signature",
      "rationale", "outcome", "reverted", "pruned"})
  public record Delta(int number, String id, String time, String phase, String step, String change, String proposer,
      String report, String signature, String rationale, String outcome, boolean reverted, boolean pruned,
      Proposal delta) {
    /** Neither reverted nor removed by `bq2 overrides prune` (its step or phase left the plan). */
    public boolean inForce() {
      return !reverted && !pruned;
    }
  }

  private final List<Delta> deltas;

  private Provenance(List<Delta> deltas) {
    this.deltas = List.copyOf(deltas);
  }

  public static Provenance read(Path historyFile) {
    Map<String, String> outcome = new LinkedHashMap<>();
    Map<String, Boolean> reverted = new LinkedHashMap<>();
    List<HistoryEntry> all = TriedDeltas.read(historyFile);
    for (HistoryEntry h : all) {
      if ("outcome".equals(h.event())) outcome.put(h.id(), h.outcome());
      if ("reverted".equals(h.event())) reverted.put(h.id(), true);
    }
    List<Delta> out = new ArrayList<>();
    for (HistoryEntry h : all) {
      if ("pruned".equals(h.event())) {
        // A pruned phase takes every earlier delta of that phase with it; a pruned step (or
        // allowlist name: the step is gone either way) the earlier deltas of that step.
        for (int i = 0; i < out.size(); i++) {
          Delta d = out.get(i);
          if (Objects.equals(h.phase(), d.phase()) && (h.step() == null || h.step().equals(d.step()))) {
            out.set(i, new Delta(d.number(), d.id(), d.time(), d.phase(), d.step(), d.change(), d.proposer(), d.report(),
                d.signature(), d.rationale(), d.outcome(), d.reverted(), true, d.delta()));
          }
        }
        continue;
      }
      if (!"applied".equals(h.event())) continue;
      out.add(new Delta(out.size() + 1, h.id(), h.time(), h.phase(), h.step(), describe(h.delta()), h.proposer(),
          h.report(), h.signature(), h.rationale(), outcome.getOrDefault(h.id(), "pending"),
          reverted.getOrDefault(h.id(), false), false, h.delta()));
    }
    return new Provenance(out);
  }

  public List<Delta> deltas() {
    return deltas;
  }

  public List<Delta> inForce() {
    return deltas.stream().filter(Delta::inForce).toList();
  }

  public List<Delta> inForce(String phase, String step) {
    return inForce().stream().filter(d -> phase.equals(d.phase()) && Objects.equals(step, d.step())).toList();
  }

  /** `N` (1-based number) or a delta id → the delta; exit 2 naming the choices otherwise. */
  public Delta find(String numberOrId, Path historyFile) {
    for (Delta d : deltas) {
      if (d.id().equals(numberOrId) || String.valueOf(d.number()).equals(numberOrId)) return d;
    }
    throw Bq2Exception.badInput(historyFile + ": no applied delta " + numberOrId + " (there are " + deltas.size()
        + "); list them with `bq2 overrides history`");
  }

  /**
   * Phases whose entry in the overrides file is not what the in-force deltas produce (edited by
   * hand, or written by another tool): their origin cannot be told entry by entry.
   */
  public List<String> handEdited(Overrides overrides) {
    Map<String, PhaseOverride> replay = new LinkedHashMap<>();
    for (Delta d : inForce()) replay.put(d.phase(), OverridesEditor.merge(replay.get(d.phase()), d.delta()));
    List<String> out = new ArrayList<>();
    overrides.phases().forEach((phase, po) -> {
      if (!Objects.equals(po, replay.get(phase))) out.add(phase);
    });
    return out;
  }

  public static String describe(Proposal p) {
    return p == null ? "(none)" : p.summary();
  }

}
