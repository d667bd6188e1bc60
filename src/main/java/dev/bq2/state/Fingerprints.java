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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step fingerprints: a digest of what a step would do, so that a completed step whose
 * definition changed (an override, a regenerated plan) runs again, together with the steps
 * after it in its phase, while untouched steps keep their progress.
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

  /** A completed step that must run again, and why. */
  public record Rerun(String phase, String step, String reason) {
    public String message() {
      return "rerun " + phase + "/" + step + ": " + reason;
    }
  }

  /** The state after dropping changed steps, and the list of what was dropped. */
  public record Check(BuildState state, List<Rerun> reruns) {}

  public static String of(BuildPhase phase, BuildStep step) {
    Subject s = new Subject(
        new PhaseFields(phase.namespace(), phase.installPrefix(), phase.destdir(), phase.env()), step);
    JsonNode canonical = sorted(Json.MAPPER.valueToTree(s));
    try {
      return StateStore.sha256(Json.MAPPER.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * For each phase of the resolved plan: the first completed step whose recorded fingerprint
   * differs from its current one is dropped from `completed_steps`, with every completed step
   * after it in that phase. A step without a recorded fingerprint counts as unchanged.
   *
   * @param cause what changed, for the message (`overrides`, `plan`, ...)
   */
  public static Check check(BuildPlan resolved, BuildState state, String cause) {
    Progress progress = state.progress();
    Map<String, Map<String, String>> fps = copy(state.stepFingerprints());
    List<Rerun> reruns = new ArrayList<>();
    for (BuildPhase phase : resolved.phases()) {
      List<String> done = progress.completedSteps().get(phase.name());
      if (done == null || done.isEmpty()) continue;
      String changed = null;
      List<String> drop = new ArrayList<>();
      for (BuildStep step : phase.steps()) {
        if (!done.contains(step.name())) continue;
        if (changed == null) {
          String recorded = state.fingerprint(phase.name(), step.name());
          if (recorded == null || recorded.equals(of(phase, step))) continue;
          changed = step.name();
          reruns.add(new Rerun(phase.name(), step.name(), "definition changed (" + cause + ")"));
        } else {
          reruns.add(new Rerun(phase.name(), step.name(), "comes after changed step " + changed));
        }
        drop.add(step.name());
      }
      if (!drop.isEmpty()) {
        progress = progress.withoutCompleted(phase.name(), drop);
        Map<String, String> m = fps.get(phase.name());
        if (m != null) drop.forEach(m::remove);
      }
    }
    if (reruns.isEmpty()) return new Check(state, reruns);
    return new Check(state.withProgress(progress).withFingerprints(fps), reruns);
  }

  /** The state with `step`'s fingerprint recorded. */
  public static BuildState record(BuildState state, BuildPhase phase, BuildStep step) {
    Map<String, Map<String, String>> fps = copy(state.stepFingerprints());
    fps.computeIfAbsent(phase.name(), k -> new LinkedHashMap<>()).put(step.name(), of(phase, step));
    return state.withFingerprints(fps);
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
