package dev.bq2.autopilot;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a session's `events.jsonl`. `type` is one of: session_started, session_resumed,
 * runner_started, runner_reattached, step_started, step_finished, runner_exited, runner_killed,
 * failure, proposal, proposal_rejected, assistant_attempt, applied, outcome, reverted,
 * phase_complete, stopped. `time` is UTC to the second ({@link Journal#stamp}).
 */
@JsonPropertyOrder({"time", "type", "iteration", "phase", "step", "message", "data"})
public record JournalEvent(
    String time,
    String type,
    Integer iteration,
    String phase,
    String step,
    String message,
    Map<String, Object> data) {

  public JournalEvent {
    data = data == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(data));
  }

  public Object get(String key) {
    return data.get(key);
  }
}
