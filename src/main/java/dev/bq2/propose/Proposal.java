package dev.bq2.propose;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal override delta for one failure, the same JSON whoever proposes it (rules or an
 * assistant); see docs/formats.md. `step` null means a phase-wide env change. `env` values are
 * the key's complete new value. `escalate: true` with no changes means "no safe fix known".
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
  "phase", "step", "configure_flags_add", "env", "patches_add", "build_dir", "clean_build",
  "rationale", "escalate"
})
public record Proposal(
    String phase,
    String step,
    List<String> configureFlagsAdd,
    Map<String, String> env,
    List<String> patchesAdd,
    String buildDir,
    Boolean cleanBuild,
    String rationale,
    Boolean escalate) {

  public Proposal {
    configureFlagsAdd = configureFlagsAdd == null ? List.of() : List.copyOf(configureFlagsAdd);
    env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
    patchesAdd = patchesAdd == null ? List.of() : List.copyOf(patchesAdd);
    escalate = escalate != null && escalate;
  }

  public static Proposal escalate(String phase, String step, String rationale) {
    return new Proposal(phase, step, List.of(), Map.of(), List.of(), null, null, rationale, true);
  }

  /** True when the delta asks for no change at all. */
  public boolean hasNoChanges() {
    return configureFlagsAdd.isEmpty() && env.isEmpty() && patchesAdd.isEmpty() && buildDir == null
        && cleanBuild == null;
  }

  /** `configure_flags_add --disable-werror, CFLAGS="-O2", clean_build true` (journals, commit messages). */
  public String summary() {
    java.util.List<String> parts = new java.util.ArrayList<>();
    if (!configureFlagsAdd.isEmpty()) parts.add("configure_flags_add " + String.join(" ", configureFlagsAdd));
    env.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
    if (!patchesAdd.isEmpty()) parts.add("patches_add " + String.join(" ", patchesAdd));
    if (buildDir != null) parts.add("build_dir " + buildDir);
    if (cleanBuild != null) parts.add("clean_build " + cleanBuild);
    return parts.isEmpty() ? "no change" : String.join(", ", parts);
  }
}
