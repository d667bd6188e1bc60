package dev.bq2.propose;

import dev.bq2.Bq2Exception;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PhaseOverride;
import dev.bq2.plan.PlanFiles;
import dev.bq2.plan.StaleOverrides;
import dev.bq2.plan.StepOverride;
import dev.bq2.report.ReportFiles;
import dev.bq2.state.Timestamps;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies validated proposals to the overrides file and keeps the history beside it. The plan
 * file is never touched. Order of writes: the history line first, then the overrides file, so a
 * crash in between leaves an `applied` line whose `before` equals the file (reverting it is a
 * no-op) rather than an override nobody can trace.
 */
public final class OverridesEditor {
  public static final Set<String> OUTCOMES = Set.of("fixed", "same_failure", "new_failure");
  private final Path overridesFile;
  private final Path historyFile;

  public OverridesEditor(Path overridesFile, Path historyFile) {
    this.overridesFile = overridesFile;
    this.historyFile = historyFile;
  }

  public Path overridesFile() {
    return overridesFile;
  }

  public Path historyFile() {
    return historyFile;
  }

  /** Applies {@code p} (validated by the caller) and returns its `applied` history entry. */
  public HistoryEntry apply(Proposal p, Diagnosis d, String proposer) {
    if (p.escalate() || p.hasNoChanges()) {
      throw Bq2Exception.badInput("proposal for " + p.phase() + "/" + p.step() + " has no changes to apply");
    }
    Overrides current = PlanFiles.readOverrides(overridesFile);
    PhaseOverride before = current.phases().get(p.phase());
    PhaseOverride after = merge(before, p);
    String id = Timestamps.compact(Instant.now()) + "-" + ReportFiles.hex8();
    HistoryEntry entry = new HistoryEntry(id, "applied", Timestamps.compact(Instant.now()),
        d == null || d.report() == null ? null : d.report().toString(), d == null ? null : d.signature(),
        proposer, p.phase(), p.step(), p, p.rationale(), null, before);
    AtomicFile.appendLine(historyFile, Json.line(entry));
    write(current, p.phase(), after);
    return entry;
  }

  /** Records what came of an applied delta: `fixed`, `same_failure` or `new_failure`. */
  public HistoryEntry recordOutcome(String id, String outcome) {
    if (!OUTCOMES.contains(outcome)) {
      throw Bq2Exception.badInput("outcome " + outcome + " for " + id + ": expected one of " + OUTCOMES);
    }
    HistoryEntry applied = findApplied(id);
    HistoryEntry line = new HistoryEntry(id, "outcome", Timestamps.compact(Instant.now()), null,
        applied.signature(), null, applied.phase(), applied.step(), null, null, outcome, null);
    AtomicFile.appendLine(historyFile, Json.line(line));
    return line;
  }

  /**
   * Undoes an applied delta. When the phase entry is exactly what the delta left, `before` is
   * restored verbatim. When it changed since (another delta, a hand edit), only the delta's own
   * parts are taken back where they are still as the delta set them (its flags and patches
   * removed, its env keys and build_dir/clean_build restored), so unrelated edits survive.
   * Reverting twice is a no-op the second time.
   */
  public HistoryEntry revert(String id) {
    HistoryEntry applied = findApplied(id);
    for (HistoryEntry h : TriedDeltas.read(historyFile)) {
      if (id.equals(h.id()) && "reverted".equals(h.event())) return h;
    }
    Overrides current = PlanFiles.readOverrides(overridesFile);
    PhaseOverride cur = current.phases().get(applied.phase());
    PhaseOverride expected = merge(applied.before(), applied.delta());
    PhaseOverride restored = Objects.equals(cur, expected) ? applied.before() : undo(cur, applied);
    write(current, applied.phase(), restored);
    HistoryEntry line = new HistoryEntry(id, "reverted", Timestamps.compact(Instant.now()), null,
        applied.signature(), null, applied.phase(), applied.step(), null, null, null, null);
    AtomicFile.appendLine(historyFile, Json.line(line));
    return line;
  }

  /**
   * Removes the entries for phases and steps {@code plan} no longer has
   * ({@link StaleOverrides}), after a plan regeneration. One `pruned` history line per removed
   * entry (written in one append, before the overrides file, like every change here), then the
   * overrides file atomically. Returns what was removed; nothing is written when nothing is stale.
   */
  public List<StaleOverrides.Entry> prune(BuildPlan plan) {
    Overrides current = PlanFiles.readOverrides(overridesFile);
    List<StaleOverrides.Entry> stale = StaleOverrides.find(plan, current);
    if (stale.isEmpty()) return stale;
    String id = Timestamps.compact(Instant.now()) + "-" + ReportFiles.hex8();
    List<String> lines = new ArrayList<>();
    for (StaleOverrides.Entry e : stale) {
      HistoryEntry h = new HistoryEntry(id, "pruned", Timestamps.compact(Instant.now()), null, null, "bq2 overrides prune",
          e.phase(), e.step(), null, e.describe(), null, current.phases().get(e.phase()));
      lines.add(Json.line(h));
    }
    AtomicFile.appendLine(historyFile, String.join("\n", lines));
    PlanFiles.editOverrides(overridesFile, StaleOverrides.without(plan, current)); // keeps the user's own text and keys
    return stale;
  }

  private HistoryEntry findApplied(String id) {
    for (HistoryEntry h : TriedDeltas.read(historyFile)) {
      if (id.equals(h.id()) && "applied".equals(h.event())) return h;
    }
    throw Bq2Exception.badInput(historyFile + ": no applied delta with id " + id
        + "; list them with `grep applied " + historyFile.getFileName() + "`");
  }

  private void write(Overrides current, String phase, PhaseOverride entry) {
    Map<String, PhaseOverride> phases = new LinkedHashMap<>(current.phases());
    if (entry == null || entry.isNoop() && !phases.containsKey(phase)) {
      phases.remove(phase);
    } else {
      phases.put(phase, entry);
    }
    PlanFiles.editOverrides(overridesFile, new Overrides(phases));
  }

  /** The phase entry with the delta merged in (flags/patches appended once, env keys set). */
  public static PhaseOverride merge(PhaseOverride before, Proposal p) {
    PhaseOverride po = before == null ? PhaseOverride.empty() : before;
    if (p.step() == null) {
      Map<String, String> env = new LinkedHashMap<>(po.env() == null ? Map.of() : po.env());
      env.putAll(p.env());
      return po.withEnv(env);
    }
    Map<String, StepOverride> steps = new LinkedHashMap<>(po.steps() == null ? Map.of() : po.steps());
    StepOverride so = steps.getOrDefault(p.step(), StepOverride.empty());
    if (!p.env().isEmpty()) {
      Map<String, String> env = new LinkedHashMap<>(so.env() == null ? Map.of() : so.env());
      env.putAll(p.env());
      so = so.withEnv(env);
    }
    so = so.withConfigureFlagsAdd(appendNew(so.configureFlagsAdd(), p.configureFlagsAdd()))
        .withPatchesAdd(appendNew(so.patchesAdd(), p.patchesAdd()));
    if (p.buildDir() != null) so = so.withBuildDir(p.buildDir());
    if (p.cleanBuild() != null) so = so.withCleanBuild(p.cleanBuild());
    steps.put(p.step(), so);
    return po.withSteps(steps);
  }

  private static List<String> appendNew(List<String> have, List<String> add) {
    List<String> out = new ArrayList<>(have);
    for (String a : add) {
      if (!out.contains(a)) out.add(a);
    }
    return out;
  }

  /** Takes back only what is still as the delta left it; null when nothing remains. */
  static PhaseOverride undo(PhaseOverride cur, HistoryEntry applied) {
    if (cur == null) return null;
    Proposal p = applied.delta();
    PhaseOverride before = applied.before();
    if (p.step() == null) {
      Map<String, String> env = undoEnv(cur.env(), before == null ? null : before.env(), p.env());
      PhaseOverride out = cur.withEnv(env);
      return out.isNoop() && before == null ? null : out;
    }
    if (cur.steps() == null || !cur.steps().containsKey(p.step())) return cur;
    StepOverride so = cur.steps().get(p.step());
    StepOverride was = before == null || before.steps() == null ? null : before.steps().get(p.step());
    List<String> flags = removeAdded(so.configureFlagsAdd(), p.configureFlagsAdd(), was == null ? List.of() : was.configureFlagsAdd());
    List<String> patches = removeAdded(so.patchesAdd(), p.patchesAdd(), was == null ? List.of() : was.patchesAdd());
    StepOverride out = so.withConfigureFlagsAdd(flags).withPatchesAdd(patches)
        .withEnv(undoEnv(so.env(), was == null ? null : was.env(), p.env()));
    if (p.buildDir() != null && p.buildDir().equals(so.buildDir())) out = out.withBuildDir(was == null ? null : was.buildDir());
    if (p.cleanBuild() != null && p.cleanBuild().equals(so.cleanBuild())) out = out.withCleanBuild(was == null ? null : was.cleanBuild());
    Map<String, StepOverride> steps = new LinkedHashMap<>(cur.steps());
    if (out.isNoop() && was == null) steps.remove(p.step());
    else steps.put(p.step(), out);
    PhaseOverride res = cur.withSteps(steps.isEmpty() && (before == null || before.steps() == null) ? null : steps);
    return res.isNoop() && before == null ? null : res;
  }

  private static List<String> removeAdded(List<String> have, List<String> added, List<String> hadBefore) {
    List<String> out = new ArrayList<>(have);
    for (String a : added) {
      if (!hadBefore.contains(a)) out.remove(a);
    }
    return out;
  }

  private static Map<String, String> undoEnv(Map<String, String> cur, Map<String, String> was, Map<String, String> delta) {
    if (cur == null) return null;
    Map<String, String> env = new LinkedHashMap<>(cur);
    for (Map.Entry<String, String> e : delta.entrySet()) {
      if (!e.getValue().equals(env.get(e.getKey()))) continue; // changed since: not ours to undo
      if (was != null && was.containsKey(e.getKey())) env.put(e.getKey(), was.get(e.getKey()));
      else env.remove(e.getKey());
    }
    return env.isEmpty() && was == null ? null : env;
  }
}
