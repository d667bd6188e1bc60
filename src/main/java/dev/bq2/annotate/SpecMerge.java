package dev.bq2.annotate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import java.nio.file.Path;
import java.util.Map;

/**
 * Folds overrides into a plan spec deterministically: the override values get their absolute
 * var paths turned back into `${VAR}` ({@link PlanSpec#abstractPaths}), then
 * {@link OverridesApplier} applies them to the spec's plan with the runner's own semantics, and
 * the spec is written in its canonical layout. Relocated patches are named through a var that
 * points at the repo root (`REPO`, added when the spec has none).
 */
public final class SpecMerge {
  private SpecMerge() {}

  /** The merged spec (not yet written). */
  public static PlanSpec merge(Path specFile, Overrides overrides, Path repoRoot, boolean needRepoVar) {
    PlanSpec spec = PlanSpec.read(specFile);
    if (needRepoVar) spec = withRepoVar(spec, specFile, repoRoot);
    JsonNode abstracted = spec.abstractPaths(specFile, Json.MAPPER.valueToTree(overrides));
    Overrides portable;
    try {
      portable = Json.MAPPER.treeToValue(abstracted, Overrides.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("overrides do not round-trip through JSON", e);
    }
    BuildPlan merged = OverridesApplier.apply(spec.planRecords(specFile), portable, specFile);
    return spec.withPlan(Json.MAPPER.valueToTree(merged));
  }

  /** A var naming the repo root: an existing one, else `REPO` (or `REPO_2`, …) relative to the spec. */
  static PlanSpec withRepoVar(PlanSpec spec, Path specFile, Path repoRoot) {
    String root = repoRoot.toAbsolutePath().normalize().toString();
    for (Map.Entry<String, String> e : spec.resolvedVars(specFile).entrySet()) {
      if (e.getValue().equals(root)) return spec;
    }
    String name = "REPO";
    for (int n = 2; spec.vars().containsKey(name); n++) name = "REPO_" + n;
    Path rel = specFile.toAbsolutePath().getParent().relativize(repoRoot.toAbsolutePath().normalize());
    return spec.withVar(name, rel.toString().isEmpty() ? "." : rel.toString());
  }
}
