package dev.bq2.assistant;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Asks Codex CLI (`codex exec --json`) for a proposal, continuing the stored thread with
 * `codex exec resume <id>`. The thread id is stored the moment `thread.started` arrives, so a
 * turn killed by the timeout still leaves its conversation resumable. Success is judged by the
 * last agent message being a schema-valid proposal, never by Codex's exit code (it exits 0 with
 * non-JSON answers, and 1 after a proposal when something late fails).
 */
public final class CodexProposer extends AssistantProposer {
  /** `turn.completed.usage` is a running total per thread; this remembers the last total seen. */
  @JsonPropertyOrder({"thread_id", "input_tokens", "output_tokens"})
  public record ThreadUsage(String threadId, long inputTokens, long outputTokens) {}

  public CodexProposer(AssistantSettings settings) {
    super(settings);
  }

  @Override
  public String name() {
    return "codex";
  }

  /** Beside the session file: `<session file>.usage.json`. */
  public Path usageFile() {
    SessionFile s = settings.session();
    return s == null ? null : s.path().resolveSibling(s.path().getFileName() + ".usage.json");
  }

  @Override
  protected Proposal attempt(String prompt, Path cwd, Attempt a)
      throws ProposerException, IOException, InterruptedException {
    Path tmp = Files.createTempDirectory("bq2-codex-");
    try {
      Path schema = ProposalSchema.writeTo(tmp.resolve("proposal.schema.json"));
      long deadline = System.nanoTime() + settings.timeout().toNanos();
      Optional<String> stored = settings.session() == null ? Optional.empty() : settings.session().read();
      Events ev = run(prompt, cwd, schema, stored, deadline, a);
      if (ev.result.outputTooLarge()) throw tooLarge(a);
      if (stored.isPresent() && ev.threadId == null && ev.result.stderrTail().contains("no rollout found")) {
        // Codex no longer knows the stored thread (another CODEX_HOME, deleted sessions): start anew.
        settings.session().clear();
        ev = run(prompt, cwd, schema, Optional.empty(), deadline, a);
        if (ev.result.outputTooLarge()) throw tooLarge(a);
      }
      if (ev.result.timedOut()) throw timedOut(a);
      if (ev.lastMessage != null) return parseAnswer(ev.lastMessage, a);
      String why = ev.turnFailed != null ? ev.turnFailed
          : !ev.errors.isEmpty() ? ev.errors.get(ev.errors.size() - 1)
          : lastLine(ev.result.stderrTail());
      throw new ProposerException("codex gave no answer (exit " + ev.result.exitCode() + "): " + why);
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private Events run(String prompt, Path cwd, Path schema, Optional<String> resume, long deadline, Attempt a)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add(settings.executable());
    argv.add("exec");
    if (resume.isPresent()) argv.add("resume");
    argv.addAll(List.of("--json", "--output-schema", schema.toString(), "--skip-git-repo-check"));
    if (resume.isPresent()) {
      // `exec resume` has no -C and no --sandbox: the cwd and a config override do their job.
      argv.addAll(List.of("-c", "sandbox_mode=\"" + settings.sandbox() + "\""));
    } else {
      argv.addAll(List.of("-C", cwd.toString(), "-s", settings.sandbox()));
    }
    for (String c : settings.config()) argv.addAll(List.of("-c", c));
    argv.addAll(settings.extraArgs());
    resume.ifPresent(argv::add);
    argv.add("-");
    Events ev = new Events(a);
    Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
    ev.result = AssistantProcess.run(argv, cwd, settings.env(), prompt, left, ev::line, AssistantProcess.MAX_ANSWER_BYTES);
    a.exitCode = ev.result.timedOut() ? null : ev.result.exitCode();
    if (ev.storeError != null) throw ev.storeError;
    return ev;
  }

  /** The state one `codex exec --json` run builds from its JSONL events. */
  private final class Events {
    final Attempt a;
    AssistantProcess.Result result;
    String threadId;
    String lastMessage;
    String turnFailed;
    final List<String> errors = new ArrayList<>();
    RuntimeException storeError;

    Events(Attempt a) {
      this.a = a;
    }

    void line(String line) {
      JsonNode ev;
      try {
        ev = Json.MAPPER.readTree(line);
      } catch (IOException e) {
        return; // not an event (a warning line); the events decide
      }
      if (ev == null || !ev.isObject()) return;
      try {
        switch (ev.path("type").asText()) {
          case "thread.started" -> {
            threadId = ev.path("thread_id").asText(null);
            if (threadId != null) {
              a.sessionId = threadId;
              if (settings.session() != null) settings.session().write(threadId);
            }
          }
          case "item.completed" -> {
            JsonNode item = ev.path("item");
            if ("agent_message".equals(item.path("type").asText())) lastMessage = item.path("text").asText();
          }
          case "turn.completed" -> usage(ev.path("usage"));
          case "turn.failed" -> turnFailed = ev.path("error").path("message").asText("turn failed");
          case "error" -> errors.add(ev.path("message").asText("error"));
          default -> { }
        }
      } catch (RuntimeException e) {
        if (storeError == null) storeError = e;
      }
    }

    private void usage(JsonNode usage) {
      long in = usage.path("input_tokens").asLong(0);
      long out = usage.path("output_tokens").asLong(0);
      Path file = usageFile();
      ThreadUsage before = null;
      if (file != null && Files.isRegularFile(file)) {
        try {
          before = Json.MAPPER.readValue(Files.readString(file), ThreadUsage.class);
        } catch (IOException e) {
          before = null; // an unreadable ledger only makes this attempt look more expensive
        }
      }
      boolean sameThread = before != null && before.threadId() != null && before.threadId().equals(threadId);
      long dIn = sameThread && in >= before.inputTokens() ? in - before.inputTokens() : in;
      long dOut = sameThread && out >= before.outputTokens() ? out - before.outputTokens() : out;
      a.tokensIn = (a.tokensIn == null ? 0 : a.tokensIn) + dIn;
      a.tokensOut = (a.tokensOut == null ? 0 : a.tokensOut) + dOut;
      if (file != null && threadId != null) AtomicFile.writeJson(file, new ThreadUsage(threadId, in, out));
    }
  }
}
