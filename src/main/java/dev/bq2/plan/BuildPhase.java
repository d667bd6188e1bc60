package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One phase of the plan (docs/formats.md#upstream-formats). `env` and `steps` are required, as in the tool. */
@JsonPropertyOrder({"name", "description", "namespace", "install_prefix", "destdir", "env", "steps"})
public record BuildPhase(
    @JsonProperty(required = true) String name,
    @JsonProperty(required = true) String description,
    @JsonProperty(required = true) String namespace,
    @JsonProperty(required = true) String installPrefix,
    String destdir,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL) Map<String, String> env,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL) List<BuildStep> steps) {

  public BuildPhase {
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  public Optional<BuildStep> step(String stepName) {
    return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
  }

  public List<String> stepNames() {
    return steps.stream().map(BuildStep::name).toList();
  }

  public BuildPhase withSteps(List<BuildStep> newSteps) {
    return new BuildPhase(name, description, namespace, installPrefix, destdir, env, newSteps);
  }
}
