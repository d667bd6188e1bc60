package dev.bq2.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

@JsonPropertyOrder({"phase", "step", "occurred_at", "error", "report_path"})
public record FailureRef(
    @JsonProperty(required = true) String phase,
    @JsonProperty(required = true) String step,
    @JsonProperty(required = true) String occurredAt,
    String error,
    String reportPath) {

  /** A build's error can be megabytes (a 20 MB argv echoed back); the state keeps a bounded text. */
  public FailureRef {
    error = dev.bq2.json.TextBounds.clip(error, dev.bq2.json.TextBounds.STORED_TEXT);
  }
}
