package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step (docs/formats.md#upstream-formats). The four collections/flag the existing tool requires
 * (`configure_flags`, `patches`, `env`, `clean_build`) are required here too, so a plan we
 * accept is a plan it accepts.
 */
@JsonPropertyOrder({
  "name", "strategy", "workdir", "configure_flags", "patches", "build_dir", "install_prefix",
  "destdir", "env", "clean_build", "sources", "extract_sources", "packages", "content",
  "sources_directory"
})
public record BuildStep(
    @JsonProperty(required = true) String name,
    @JsonProperty(required = true) String strategy,
    String workdir,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL) List<String> configureFlags,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL) List<String> patches,
    String buildDir,
    String installPrefix,
    String destdir,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL) Map<String, String> env,
    @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) Boolean cleanBuild,
    @JsonSetter(contentNulls = Nulls.FAIL) List<SourceSpec> sources,
    @JsonSetter(contentNulls = Nulls.FAIL) List<ExtractSpec> extractSources,
    @JsonSetter(contentNulls = Nulls.FAIL) List<String> packages,
    String content,
    String sourcesDirectory) {

  public BuildStep {
    configureFlags = configureFlags == null ? List.of() : List.copyOf(configureFlags);
    patches = patches == null ? List.of() : List.copyOf(patches);
    env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
    cleanBuild = cleanBuild != null && cleanBuild;
    sources = sources == null ? null : List.copyOf(sources);
    extractSources = extractSources == null ? null : List.copyOf(extractSources);
    packages = packages == null ? null : List.copyOf(packages);
  }

  /** A minimal step of the given strategy; convenient for tests, the demo and extra steps. */
  public static BuildStep of(String name, String strategy, String workdir) {
    return new BuildStep(name, strategy, workdir, List.of(), List.of(), null, null, null, Map.of(),
        false, null, null, null, null, null);
  }

  public boolean isCleanBuild() {
    return Boolean.TRUE.equals(cleanBuild);
  }
}
