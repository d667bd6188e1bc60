package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Overrides for one step (docs/formats.md). `configure_flags_add` and `patches_add` default to
 * `[]`; they and `env` are written only when non-empty, so the file holds only what someone
 * asked for (absent and empty mean the same to the runner).
 */
@JsonPropertyOrder({
  "workdir", "build_dir", "install_prefix", "destdir", "destdir_clear", "env", "clean_build",
  "sources", "extract_sources", "content", "configure_flags", "configure_flags_add", "patches",
  "patches_add"
})
public record StepOverride(
    String workdir,
    String buildDir,
    String installPrefix,
    String destdir,
    Boolean destdirClear,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonSetter(contentNulls = Nulls.FAIL) Map<String, String> env,
    Boolean cleanBuild,
    @JsonSetter(contentNulls = Nulls.FAIL) List<SourceSpec> sources,
    @JsonSetter(contentNulls = Nulls.FAIL) List<ExtractSpec> extractSources,
    String content,
    @JsonSetter(contentNulls = Nulls.FAIL) List<String> configureFlags,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonSetter(contentNulls = Nulls.FAIL) List<String> configureFlagsAdd,
    @JsonSetter(contentNulls = Nulls.FAIL) List<String> patches,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonSetter(contentNulls = Nulls.FAIL) List<String> patchesAdd) {

  public StepOverride {
    env = env == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(env));
    configureFlags = configureFlags == null ? null : List.copyOf(configureFlags);
    configureFlagsAdd = configureFlagsAdd == null ? List.of() : List.copyOf(configureFlagsAdd);
    patches = patches == null ? null : List.copyOf(patches);
    patchesAdd = patchesAdd == null ? List.of() : List.copyOf(patchesAdd);
    sources = sources == null ? null : List.copyOf(sources);
    extractSources = extractSources == null ? null : List.copyOf(extractSources);
  }

  public static StepOverride empty() {
    return new StepOverride(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public StepOverride withEnv(Map<String, String> newEnv) {
    return new StepOverride(workdir, buildDir, installPrefix, destdir, destdirClear, newEnv, cleanBuild,
        sources, extractSources, content, configureFlags, configureFlagsAdd, patches, patchesAdd);
  }

  public StepOverride withConfigureFlagsAdd(List<String> add) {
    return new StepOverride(workdir, buildDir, installPrefix, destdir, destdirClear, env, cleanBuild,
        sources, extractSources, content, configureFlags, add, patches, patchesAdd);
  }

  public StepOverride withPatchesAdd(List<String> add) {
    return new StepOverride(workdir, buildDir, installPrefix, destdir, destdirClear, env, cleanBuild,
        sources, extractSources, content, configureFlags, configureFlagsAdd, patches, add);
  }

  public StepOverride withBuildDir(String dir) {
    return new StepOverride(workdir, dir, installPrefix, destdir, destdirClear, env, cleanBuild,
        sources, extractSources, content, configureFlags, configureFlagsAdd, patches, patchesAdd);
  }

  public StepOverride withCleanBuild(Boolean clean) {
    return new StepOverride(workdir, buildDir, installPrefix, destdir, destdirClear, env, clean,
        sources, extractSources, content, configureFlags, configureFlagsAdd, patches, patchesAdd);
  }

  public boolean isNoop() {
    return equals(empty());
  }
}
