package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Overrides for one phase; every key optional (docs/formats.md); empty `env`, `extra_steps`, `steps` are not written. */
@JsonPropertyOrder({
  "namespace", "install_prefix", "destdir", "destdir_clear", "env", "packages", "extra_steps", "steps"
})
public record PhaseOverride(
    String namespace,
    String installPrefix,
    String destdir,
    Boolean destdirClear,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonSetter(contentNulls = Nulls.FAIL) Map<String, String> env,
    @JsonSetter(contentNulls = Nulls.FAIL) List<String> packages,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonSetter(contentNulls = Nulls.FAIL) List<BuildStep> extraSteps,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonSetter(contentNulls = Nulls.FAIL) Map<String, StepOverride> steps) {

  public PhaseOverride {
    env = env == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(env));
    packages = packages == null ? null : List.copyOf(packages);
    extraSteps = extraSteps == null ? null : List.copyOf(extraSteps);
    steps = steps == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(steps));
  }

  public static PhaseOverride empty() {
    return new PhaseOverride(null, null, null, null, null, null, null, null);
  }

  public PhaseOverride withEnv(Map<String, String> newEnv) {
    return new PhaseOverride(namespace, installPrefix, destdir, destdirClear, newEnv, packages, extraSteps, steps);
  }

  public PhaseOverride withSteps(Map<String, StepOverride> newSteps) {
    return new PhaseOverride(namespace, installPrefix, destdir, destdirClear, env, packages, extraSteps, newSteps);
  }

  /** True when this entry changes nothing, so it can be dropped from the file. */
  public boolean isNoop() {
    return namespace == null && installPrefix == null && destdir == null
        && !Boolean.TRUE.equals(destdirClear) && (env == null || env.isEmpty()) && packages == null
        && (extraSteps == null || extraSteps.isEmpty()) && (steps == null || steps.isEmpty());
  }
}
