package dev.bq2.state;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Step fingerprints: a digest of what a step would do, so that a completed step whose
 * definition changed (an override, a regenerated plan) runs again, together with the steps
 * after it in its phase, while untouched steps keep their progress.
 *
 * <p>After a plan regeneration (`sysroot-plan-write`, `sysroot-builder`), this is how progress
 * is kept: the existing tool keeps every completed step by name, whatever changed; we keep
 * exactly the steps whose effective definition is unchanged, and say which rerun and why.
 *
 * <p>The digest is SHA-256 over canonical JSON (keys sorted, nulls omitted) of the effective
 * step and the phase fields that change its meaning: namespace, install_prefix, destdir, env.
 */
public final class Fingerprints {
  private Fingerprints() {}

  @JsonPropertyOrder({"namespace", "install_prefix", "destdir", "env"})
  private record PhaseFields(String namespace, String installPrefix, String destdir, Map<String, String> env) {}

  @JsonPropertyOrder({"phase", "step"})
  private record Subject(PhaseFields phase, BuildStep step) {}

  /**
   * A completed step that must run again, and why: the fields of its definition that changed
   * (null when only the overall fingerprint was recorded), or the earlier step of its phase
   * that changed ({@code after}) when its own definition is unchanged.
   */
  public record Rerun(String phase, String step, List<String> changed, String after) {
    /** `base/zlib reruns (configure_flags changed)`. */
    public String what() {
      String why = after != null ? "after " + phase + "/" + after + " in its phase"
          : changed == null || changed.isEmpty() ? "its definition changed"
          : String.join(", ", changed) + " changed";
      return phase + "/" + step + " reruns (" + why + ")";
    }
  }

  /**
   * The state after dropping changed steps, what was dropped, how many completed steps of the
   * resolved plan are kept, how many of those have no recorded fingerprint (a state written by
   * the existing tool: kept unchecked, as that tool keeps them), and the completed steps that
   * are no longer in the plan (`phase/step`; left in the state, ignored).
   */
  public record Check(BuildState state, List<Rerun> reruns, int kept, int unchecked, List<String> gone) {
    /**
     * One line per rerun step, the last one ending with how many completed steps are kept; or
     * one line saying all were kept. {@code cause} is what changed (`plan`, `overrides`, ...).
     */
    public List<String> lines(String cause) {
      List<String> out = new ArrayList<>();
      String summary = kept + " completed step" + (kept == 1 ? "" : "s") + " kept"
          + (unchecked == 0 ? ""
              : " (" + (unchecked == kept ? "all" : unchecked + " of them") + " without a fingerprint: the state was"
                  + " written by the existing tool, so they are kept unchecked, as that tool keeps them)");
      for (int i = 0; i < reruns.size(); i++) {
        out.add(cause + ": " + reruns.get(i).what() + (i == reruns.size() - 1 ? "; " + summary : ""));
      }
      if (reruns.isEmpty()) out.add(cause + ": no completed step's definition changed; " + summary);
      if (!gone.isEmpty()) {
        out.add(cause + ": completed step" + (gone.size() == 1 ? "" : "s") + " no longer in the plan (ignored): "
            + String.join(", ", gone));
      }
      return out;
    }
  }

  public static String of(BuildPhase phase, BuildStep step) {
    JsonNode canonical = canonical(phase, step);
    try {
      return StateStore.sha256(Json.MAPPER.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode canonical(BuildPhase phase, BuildStep step) {
    Subject s = new Subject(
        new PhaseFields(phase.namespace(), phase.installPrefix(), phase.destdir(), phase.env()), step);
    return sorted(Json.MAPPER.valueToTree(s));
  }

  /**
   * Field → first 16 hex digits of the SHA-256 of that field's canonical JSON: the step's own
   * fields (`configure_flags`, `env`, ...; not `name`, which identifies it) and the phase fields
   * of the fingerprint (`phase env`, ...). Enough to name what changed, small in the state.
   */
  public static Map<String, String> fieldDigests(BuildPhase phase, BuildStep step) {
    JsonNode c = canonical(phase, step);
    Map<String, String> out = new LinkedHashMap<>();
    c.get("step").fields().forEachRemaining(e -> {
      if (!e.getKey().equals("name")) out.put(e.getKey(), shortDigest(e.getValue()));
    });
    JsonNode ph = c.get("phase");
    if (ph != null) ph.fields().forEachRemaining(e -> out.put("phase " + e.getKey(), shortDigest(e.getValue())));
    return out;
  }

  private static String shortDigest(JsonNode n) {
    try {
      return StateStore.sha256(Json.MAPPER.writeValueAsString(n).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fields whose digests differ (present on one side only counts); null when none were recorded. */
  static List<String> changedFields(Map<String, String> recorded, Map<String, String> now) {
    if (recorded == null) return null;
    Set<String> keys = new LinkedHashSet<>(now.keySet());
    keys.addAll(recorded.keySet());
    return keys.stream().filter(k -> !Objects.equals(recorded.get(k), now.get(k))).toList();
  }

  /**
   * For each phase of the resolved plan: every completed step whose recorded fingerprint
   * differs from its current one is dropped from `completed_steps`, and so is every completed
   * step after the first such step in that phase (it may depend on what changed). A step
   * without a recorded fingerprint counts as unchanged. Steps new to the plan are simply not
   * completed: they run, and do not make later steps rerun.
   */
  public static Check check(BuildPlan resolved, BuildState state) {
    Progress progress = state.progress();
    Map<String, Map<String, String>> fps = copy(state.stepFingerprints());
    Map<String, Map<String, Map<String, String>>> fields = copyNested(state.stepFieldDigests());
    List<Rerun> reruns = new ArrayList<>();
    int kept = 0;
    int unchecked = 0;
    Set<String> inPlan = new LinkedHashSet<>();
    for (BuildPhase phase : resolved.phases()) {
      phase.steps().forEach(st -> inPlan.add(phase.name() + "/" + st.name()));
      List<String> done = progress.completedSteps().get(phase.name());
      if (done == null || done.isEmpty()) continue;
      String firstChanged = null;
      List<String> drop = new ArrayList<>();
      for (BuildStep step : phase.steps()) {
        if (!done.contains(step.name())) continue;
        String recorded = state.fingerprint(phase.name(), step.name());
        boolean changed = recorded != null && !recorded.equals(of(phase, step));
        if (changed) {
          List<String> what = changedFields(state.fieldDigests(phase.name(), step.name()), fieldDigests(phase, step));
          reruns.add(new Rerun(phase.name(), step.name(), what, null));
          if (firstChanged == null) firstChanged = step.name();
          drop.add(step.name());
        } else if (firstChanged != null) {
          reruns.add(new Rerun(phase.name(), step.name(), null, firstChanged));
          drop.add(step.name());
        } else {
          kept++;
          if (recorded == null) unchecked++;
        }
      }
      if (!drop.isEmpty()) {
        progress = progress.withoutCompleted(phase.name(), drop);
        Map<String, String> m = fps.get(phase.name());
        if (m != null) drop.forEach(m::remove);
        Map<String, Map<String, String>> f = fields.get(phase.name());
        if (f != null) drop.forEach(f::remove);
      }
    }
    List<String> gone = new ArrayList<>();
    progress.completedSteps().forEach((ph, steps) -> steps.forEach(st -> {
      if (!inPlan.contains(ph + "/" + st)) gone.add(ph + "/" + st);
    }));
    if (reruns.isEmpty()) return new Check(state, reruns, kept, unchecked, gone);
    BuildState s = state.withProgress(progress).withFingerprints(fps);
    if (state.stepFieldDigests() != null) s = s.withFieldDigests(fields);
    return new Check(s, reruns, kept, unchecked, gone);
  }

  /** The state with `step`'s fingerprint (and field digests) recorded. */
  public static BuildState record(BuildState state, BuildPhase phase, BuildStep step) {
    Map<String, Map<String, String>> fps = copy(state.stepFingerprints());
    fps.computeIfAbsent(phase.name(), k -> new LinkedHashMap<>()).put(step.name(), of(phase, step));
    Map<String, Map<String, Map<String, String>>> fields = copyNested(state.stepFieldDigests());
    fields.computeIfAbsent(phase.name(), k -> new LinkedHashMap<>()).put(step.name(), fieldDigests(phase, step));
    return state.withFingerprints(fps).withFieldDigests(fields);
  }

  /** The state with the fingerprint of `step`'s attempt now recorded (see {@link BuildState#attemptFingerprint}). */
  public static BuildState recordAttempt(BuildState state, BuildPhase phase, BuildStep step) {
    Map<String, Map<String, String>> fps = copy(state.attemptFingerprints());
    fps.computeIfAbsent(phase.name(), k -> new LinkedHashMap<>()).put(step.name(), of(phase, step));
    return state.withAttemptFingerprints(fps);
  }

  private static Map<String, Map<String, String>> copy(Map<String, Map<String, String>> in) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (in != null) in.forEach((k, v) -> out.put(k, new LinkedHashMap<>(v)));
    return out;
  }

  private static Map<String, Map<String, Map<String, String>>> copyNested(Map<String, Map<String, Map<String, String>>> in) {
    Map<String, Map<String, Map<String, String>>> out = new LinkedHashMap<>();
    if (in != null) in.forEach((k, v) -> out.put(k, v == null ? new LinkedHashMap<>() : new LinkedHashMap<>(v)));
    return out;
  }

  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) fields.put(e.getKey(), sorted(e.getValue()));
      }
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      fields.forEach(o::set);
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      n.forEach(x -> a.add(sorted(x)));
      return a;
    }
    return n;
  }
}
