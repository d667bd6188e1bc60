package dev.bq2.state;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `progress` in the state file: the only input to resume decisions is `completed_steps`. */
@JsonPropertyOrder({"current_phase", "completed_steps", "last_success", "last_failure"})
public record Progress(
    String currentPhase,
    @JsonSetter(contentNulls = Nulls.FAIL) Map<String, List<String>> completedSteps,
    StepRef lastSuccess,
    FailureRef lastFailure) {

  public Progress {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    if (completedSteps != null) {
      completedSteps.forEach((k, v) -> {
        if (v == null || v.stream().anyMatch(java.util.Objects::isNull)) {
          throw new IllegalArgumentException("completed_steps." + k + " holds null; expected an array of step names");
        }
        copy.put(k, List.copyOf(v));
      });
    }
    completedSteps = Collections.unmodifiableMap(copy);
  }

  public static Progress empty() {
    return new Progress(null, Map.of(), null, null);
  }

  public boolean isCompleted(String phase, String step) {
    List<String> done = completedSteps.get(phase);
    return done != null && done.contains(step);
  }

  public Progress withCurrentPhase(String phase) {
    return new Progress(phase, completedSteps, lastSuccess, lastFailure);
  }

  public Progress withCompleted(String phase, String step, StepRef success) {
    Map<String, List<String>> m = new LinkedHashMap<>(completedSteps);
    List<String> list = new ArrayList<>(m.getOrDefault(phase, List.of()));
    if (!list.contains(step)) list.add(step);
    m.put(phase, list);
    return new Progress(phase, m, success, lastFailure);
  }

  /** Drops the given steps of a phase from `completed_steps` (fingerprint reruns). */
  public Progress withoutCompleted(String phase, List<String> steps) {
    Map<String, List<String>> m = new LinkedHashMap<>(completedSteps);
    List<String> list = new ArrayList<>(m.getOrDefault(phase, List.of()));
    list.removeAll(steps);
    m.put(phase, list);
    return new Progress(currentPhase, m, lastSuccess, lastFailure);
  }

  public Progress withLastFailure(FailureRef failure) {
    return new Progress(currentPhase, completedSteps, lastSuccess, failure);
  }
}
