package dev.bq2.assistant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposerException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks Claude Code (`claude -p --output-format json --json-schema ...`) for a proposal,
 * continuing the stored session with `--resume`. Claude finds sessions per working directory, so
 * it always starts in the repo. It runs with no tools (`--tools ""`): a proposal needs none, and
 * as root it would refuse the bypass-permissions mode anyway. The answer is the result's
 * `structured_output`; a result without it is a failed attempt even when Claude says "success".
 */
public final class ClaudeProposer extends AssistantProposer {
  public ClaudeProposer(AssistantSettings settings) {
    super(settings);
  }

  @Override
  public String name() {
    return "claude";
  }

  @Override
  protected Proposal attempt(String prompt, Path cwd, Attempt a)
      throws ProposerException, IOException, InterruptedException {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    Optional<String> stored = settings.session() == null ? Optional.empty() : settings.session().read();
    Run run = run(prompt, cwd, stored, deadline, a);
    if (run.process.outputTooLarge()) throw tooLarge(a);
    if (stored.isPresent() && run.result == null && !run.process.timedOut()
        && run.process.stderrTail().contains("No conversation found")) {
      settings.session().clear();
      run = run(prompt, cwd, Optional.empty(), deadline, a);
      if (run.process.outputTooLarge()) throw tooLarge(a);
    }
    if (run.process.timedOut()) throw timedOut(a);
    JsonNode r = run.result;
    if (r == null && run.resultError != null) {
      a.outcome = AssistantAttempt.INVALID;
      throw new ProposerException("claude answer is not a valid proposal: its result is not strict JSON ("
          + run.resultError + ")");
    }
    if (r == null) {
      throw new ProposerException("claude gave no result (exit " + run.process.exitCode() + "): "
          + lastLine(run.stdout.isBlank() ? run.process.stderrTail() : run.stdout));
    }
    String sid = r.path("session_id").asText(null);
    if (sid != null) {
      a.sessionId = sid;
      if (settings.session() != null) settings.session().write(sid);
    }
    JsonNode usage = r.path("usage");
    if (usage.isObject()) {
      a.tokensIn = usage.path("input_tokens").asLong(0) + usage.path("cache_creation_input_tokens").asLong(0)
          + usage.path("cache_read_input_tokens").asLong(0);
      a.tokensOut = usage.path("output_tokens").asLong(0);
    }
    if (r.hasNonNull("total_cost_usd")) a.costUsd = r.get("total_cost_usd").asDouble();
    if (r.path("is_error").asBoolean(false)) {
      throw new ProposerException("claude reported an error (" + r.path("subtype").asText("?")
          + (r.hasNonNull("api_error_status") ? ", API status " + r.get("api_error_status").asText() : "")
          + "): " + r.path("result").asText(r.path("errors").toString()));
    }
    JsonNode structured = r.get("structured_output");
    if (structured == null || structured.isNull()) {
      a.outcome = AssistantAttempt.INVALID;
      throw new ProposerException("claude answered without structured_output (it did not use the proposal schema): "
          + abbreviate(r.path("result").asText("")));
    }
    try {
      return ProposalSchema.fromTree(structured);
    } catch (ProposalSchema.InvalidProposalException e) {
      a.outcome = AssistantAttempt.INVALID;
      throw new ProposerException("claude answer is not a valid proposal: " + e.getMessage());
    }
  }

  private Run run(String prompt, Path cwd, Optional<String> resume, long deadline, Attempt a)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(settings.executable(), "-p", "--output-format", "json",
        "--json-schema", ProposalSchema.text(), "--tools", ""));
    resume.ifPresent(id -> argv.addAll(List.of("--resume", id)));
    argv.addAll(settings.extraArgs());
    StringBuilder out = new StringBuilder();
    Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
    Run run = new Run();
    run.process = AssistantProcess.run(argv, cwd, settings.env(), prompt, left, l -> out.append(l).append('\n'),
        AssistantProcess.MAX_ANSWER_BYTES);
    a.exitCode = run.process.timedOut() ? null : run.process.exitCode();
    run.stdout = out.toString();
    run.result = result(run.stdout, run);
    return run;
  }

  /** The `{"type":"result",...}` object: the whole stdout, or its last JSON line. */
  private static JsonNode result(String stdout, Run run) {
    String[] lines = stdout.strip().split("\n");
    List<String> candidates = new ArrayList<>();
    candidates.add(stdout.strip());
    for (int i = lines.length - 1; i >= 0; i--) candidates.add(lines[i]);
    for (String c : candidates) {
      if (c.isBlank()) continue;
      try {
        JsonNode n = Json.MAPPER.readTree(c);
        if (n != null && n.isObject() && "result".equals(n.path("type").asText())) return n;
      } catch (IOException e) {
        // try the next candidate; remember why a result line was refused (a key given twice)
        if (run.resultError == null && c.contains("\"type\"") && c.contains("\"result\"")
            && e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getOriginalMessage() != null
            && j.getOriginalMessage().startsWith("Duplicate field")) {
          run.resultError = j.getOriginalMessage().lines().findFirst().orElse("");
        }
      }
    }
    return null;
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ').strip();
    return one.length() > 200 ? one.substring(0, 200) + "…" : one.isEmpty() ? "(empty)" : one;
  }

  private static final class Run {
    AssistantProcess.Result process;
    String stdout;
    JsonNode result;
    String resultError;
  }
}
