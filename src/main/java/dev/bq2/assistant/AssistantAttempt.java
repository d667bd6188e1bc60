package dev.bq2.assistant;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One call of a coding assistant, for the autopilot's journal and summary: who answered, in
 * which conversation, what it cost and how it ended. Written whether the attempt succeeded or
 * not; a failed attempt still costs one attempt.
 *
 * @param proposer `codex`, `claude` or `command`
 * @param sessionId the Codex thread id or Claude session id the attempt ran in, null when none
 * @param tokensIn input tokens of this attempt (for Codex: the difference of the thread's running
 *     total), null when the assistant reports none
 * @param costUsd cost in US dollars when the assistant reports it (Claude), else null
 * @param exitCode the assistant's exit code, null after a timeout
 * @param outcome `proposal` (a schema-valid proposal came back), `invalid` (an answer that is not
 *     a valid proposal), `failed` (error, crash, refused resume), `timeout`
 * @param error one line saying what went wrong, null on `proposal`
 */
@JsonPropertyOrder({
  "time", "proposer", "session_id", "tokens_in", "tokens_out", "cost_usd", "duration_ms",
  "exit_code", "outcome", "error"
})
public record AssistantAttempt(
    String time,
    String proposer,
    String sessionId,
    Long tokensIn,
    Long tokensOut,
    Double costUsd,
    long durationMs,
    Integer exitCode,
    String outcome,
    String error) {

  public static final String PROPOSAL = "proposal";
  public static final String INVALID = "invalid";
  public static final String FAILED = "failed";
  public static final String TIMEOUT = "timeout";

  /** Tokens in plus out, 0 when unknown. */
  public long tokens() {
    return (tokensIn == null ? 0 : tokensIn) + (tokensOut == null ? 0 : tokensOut);
  }
}
