package dev.bq2.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

@JsonPropertyOrder({"phase", "step", "occurred_at"})
public record StepRef(
    @JsonProperty(required = true) String phase,
    @JsonProperty(required = true) String step,
    @JsonProperty(required = true) String occurredAt) {}
