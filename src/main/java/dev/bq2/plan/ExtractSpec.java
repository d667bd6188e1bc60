package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** An archive to extract (docs/formats.md#upstream-formats). */
@JsonPropertyOrder({"name", "version", "filename", "build_directory"})
public record ExtractSpec(
    @JsonProperty(required = true) String name,
    @JsonProperty(required = true) String version,
    @JsonProperty(required = true) String filename,
    String buildDirectory) {}
