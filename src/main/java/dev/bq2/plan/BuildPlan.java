package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;
import java.util.Optional;

/** The build plan (docs/formats.md#upstream-formats, `format_version` 2). Immutable: the runner never writes it. */
@JsonPropertyOrder({"format_version", "phases"})
public record BuildPlan(
    @JsonProperty(required = true) Integer formatVersion,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL)
        List<BuildPhase> phases) {

  public static final int FORMAT_VERSION = 2;

  public BuildPlan {
    phases = List.copyOf(phases);
  }

  public Optional<BuildPhase> phase(String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  public List<String> phaseNames() {
    return phases.stream().map(BuildPhase::name).toList();
  }
}
