package dev.bq2.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state/bookmark file (docs/formats.md#upstream-formats, `format_version` 1). `step_fingerprints` is our
 * additive field (docs/formats.md): phase → step → digest of the step's effective definition
 * when it completed. The existing tool ignores it; if it drops it on rewrite, completed steps
 * simply have no fingerprint and are kept. `attempt_fingerprints` (also ours) is the same digest
 * taken when a step was last *attempted*, failed attempts included: a step whose definition
 * changed since then starts from a clean tree. `step_field_digests` (ours) holds, per completed
 * step, a short digest of each field of that definition, so that after a plan regeneration the
 * runner can say *what* changed (`configure_flags changed`), not only that something did.
 */
@JsonPropertyOrder({
  "format_version", "rootfs_id", "created_at", "updated_at", "plan_digest", "overrides_digest",
  "invalidated_at", "invalidation_reason", "progress", "step_fingerprints", "attempt_fingerprints", "step_field_digests"
})
public record BuildState(
    Integer formatVersion,
    @JsonProperty(required = true) String rootfsId,
    @JsonProperty(required = true) String createdAt,
    String updatedAt,
    String planDigest,
    String overridesDigest,
    String invalidatedAt,
    String invalidationReason,
    Progress progress,
    @JsonSetter(contentNulls = Nulls.FAIL) Map<String, Map<String, String>> stepFingerprints,
    @JsonSetter(contentNulls = Nulls.FAIL) Map<String, Map<String, String>> attemptFingerprints,
    @JsonSetter(contentNulls = Nulls.FAIL) Map<String, Map<String, Map<String, String>>> stepFieldDigests) {

  public BuildState {
    formatVersion = formatVersion == null ? 1 : formatVersion;
    progress = progress == null ? Progress.empty() : progress;
    if (stepFingerprints != null) {
      stepFingerprints.forEach((k, v) -> {
        if (v == null || v.values().stream().anyMatch(java.util.Objects::isNull)) {
          throw new IllegalArgumentException("step_fingerprints." + k + " holds null; expected an object of step digests");
        }
      });
    }
    stepFingerprints = stepFingerprints == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(stepFingerprints));
    attemptFingerprints = attemptFingerprints == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(attemptFingerprints));
    stepFieldDigests = stepFieldDigests == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(stepFieldDigests));
  }

  public BuildState withProgress(Progress p) {
    return new BuildState(formatVersion, rootfsId, createdAt, updatedAt, planDigest, overridesDigest,
        invalidatedAt, invalidationReason, p, stepFingerprints, attemptFingerprints, stepFieldDigests);
  }

  public BuildState withDigests(String plan, String overrides) {
    return new BuildState(formatVersion, rootfsId, createdAt, updatedAt, plan, overrides,
        invalidatedAt, invalidationReason, progress, stepFingerprints, attemptFingerprints, stepFieldDigests);
  }

  public BuildState withUpdatedAt(String at) {
    return new BuildState(formatVersion, rootfsId, createdAt, at, planDigest, overridesDigest,
        invalidatedAt, invalidationReason, progress, stepFingerprints, attemptFingerprints, stepFieldDigests);
  }

  public BuildState withFingerprints(Map<String, Map<String, String>> fp) {
    return new BuildState(formatVersion, rootfsId, createdAt, updatedAt, planDigest, overridesDigest,
        invalidatedAt, invalidationReason, progress, fp, attemptFingerprints, stepFieldDigests);
  }

  public BuildState withAttemptFingerprints(Map<String, Map<String, String>> fp) {
    return new BuildState(formatVersion, rootfsId, createdAt, updatedAt, planDigest, overridesDigest,
        invalidatedAt, invalidationReason, progress, stepFingerprints, fp, stepFieldDigests);
  }

  public BuildState withFieldDigests(Map<String, Map<String, Map<String, String>>> d) {
    return new BuildState(formatVersion, rootfsId, createdAt, updatedAt, planDigest, overridesDigest,
        invalidatedAt, invalidationReason, progress, stepFingerprints, attemptFingerprints, d);
  }

  /** Field → short digest of the step's definition when it completed (null: not recorded). */
  public Map<String, String> fieldDigests(String phase, String step) {
    if (stepFieldDigests == null) return null;
    Map<String, Map<String, String>> m = stepFieldDigests.get(phase);
    return m == null ? null : m.get(step);
  }

  /** The fingerprint of the step's last attempt (null: never attempted by us, or an old state). */
  public String attemptFingerprint(String phase, String step) {
    if (attemptFingerprints == null) return null;
    Map<String, String> m = attemptFingerprints.get(phase);
    return m == null ? null : m.get(step);
  }

  public String fingerprint(String phase, String step) {
    if (stepFingerprints == null) return null;
    Map<String, String> m = stepFingerprints.get(phase);
    return m == null ? null : m.get(step);
  }
}
