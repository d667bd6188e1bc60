package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A source archive to download (docs/formats.md#upstream-formats). */
@JsonPropertyOrder({"name", "version", "url", "sha256", "checksum_url", "filename", "build_directory"})
public record SourceSpec(
    @JsonProperty(required = true) String name,
    @JsonProperty(required = true) String version,
    @JsonProperty(required = true) String url,
    String sha256,
    String checksumUrl,
    @JsonProperty(required = true) String filename,
    String buildDirectory) {}
