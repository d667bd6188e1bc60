package dev.bq2.assistant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets an assistant edit a builder repo (back-annotation of code builders): the prompt on stdin,
 * the assistant working in the repo with write access, its process group killed at the timeout.
 * Unlike the proposers nothing is parsed for a result: the edit is judged afterwards by
 * regenerating the plan and running the repo's checks. A fresh conversation each time, since an
 * edit is a task of its own, not the failure conversation of the proposers.
 *
 * <ul>
 *   <li>`command`: the executable runs in the repo; exit 0 = done.
 *   <li>`codex`: `codex exec --json -C <repo> -s <sandbox> -`; done when the turn completed. The
 *       sandbox is `--assistant-sandbox`, except that its read-only default (right for proposals)
 *       becomes workspace-write, the least that lets Codex edit the repo.
 *   <li>`claude`: `claude -p --output-format json --permission-mode acceptEdits`; done when the
 *       result is not an error.
 * </ul>
 */
public final class BuilderEditor {
  /** Outcome value of {@link AssistantAttempt#outcome()} for a finished edit. */
  public static final String EDITED = "edited";

  /** How the edit ended; {@code message} is the assistant's last words (or the error). */
  public record Result(boolean done, String message, AssistantAttempt attempt) {}

  private BuilderEditor() {}

  /** Runs assistant {@code name} once on the (already rendered and redacted) prompt, in {@code repo}. */
  public static Result edit(String name, AssistantSettings s, String prompt, Path repo)
      throws InterruptedException {
    String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    s.budget().ensureAvailable();
    Result r;
    try {
      r = switch (name) {
        case "command" -> command(s, prompt, repo, time);
        case "codex" -> codex(s, prompt, repo, time);
        case "claude" -> claude(s, prompt, repo, time);
        default -> throw Bq2Exception.badInput("--assistant " + name + ": cannot edit a builder; use codex, claude or command");
      };
    } catch (IOException e) {
      r = new Result(false, name + " could not be started: " + e.getMessage(),
          new AssistantAttempt(time, name, null, null, null, null, 0, null, AssistantAttempt.FAILED, e.getMessage()));
    }
    s.budget().charge(r.attempt());
    s.journal().accept(r.attempt());
    return r;
  }

  private static Result command(AssistantSettings s, String prompt, Path repo, String time)
      throws IOException, InterruptedException {
    if (s.command().isEmpty()) {
      throw Bq2Exception.badInput("--assistant command needs --assistant-command PATH (prompt on stdin; edits the repo in its cwd)");
    }
    StringBuilder out = new StringBuilder();
    AssistantProcess.Result p = AssistantProcess.run(s.command(), repo, s.env(), prompt, s.timeout(),
        l -> out.append(l).append('\n'), AssistantProcess.MAX_ANSWER_BYTES);
    return finish("command", time, p, null, null, null, null, p.exitCode() == 0,
        p.exitCode() == 0 ? AssistantProposer.lastLine(out.toString()) : AssistantProposer.lastLine(p.stderrTail()));
  }

  private static Result codex(AssistantSettings s, String prompt, Path repo, String time)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(s.executable(), "exec", "--json", "--skip-git-repo-check",
        "-C", repo.toString(), "-s", editSandbox(s.sandbox())));
    for (String c : s.config()) argv.addAll(List.of("-c", c));
    argv.addAll(s.extraArgs());
    argv.add("-");
    String[] last = new String[1];
    String[] thread = new String[1];
    long[] tokens = new long[2];
    boolean[] completed = new boolean[1];
    AssistantProcess.Result p = AssistantProcess.run(argv, repo, s.env(), prompt, s.timeout(), line -> {
      JsonNode ev = tree(line);
      if (ev == null) return;
      switch (ev.path("type").asText()) {
        case "thread.started" -> thread[0] = ev.path("thread_id").asText(null);
        case "item.completed" -> {
          if ("agent_message".equals(ev.path("item").path("type").asText())) last[0] = ev.path("item").path("text").asText();
        }
        case "turn.completed" -> {
          completed[0] = true;
          tokens[0] = ev.path("usage").path("input_tokens").asLong(0);
          tokens[1] = ev.path("usage").path("output_tokens").asLong(0);
        }
        default -> { }
      }
    }, AssistantProcess.MAX_ANSWER_BYTES);
    boolean done = completed[0] && !p.timedOut();
    return finish("codex", time, p, thread[0], completed[0] ? tokens[0] : null, completed[0] ? tokens[1] : null, null, done,
        done ? last[0] : "codex did not complete the turn (exit " + p.exitCode() + "): " + AssistantProposer.lastLine(p.stderrTail()));
  }

  /** The Codex sandbox for an edit: as asked, but never read-only (nothing could be edited). */
  private static String editSandbox(String asked) {
    return asked == null || asked.equals(AssistantSettings.DEFAULT_SANDBOX) ? "workspace-write" : asked;
  }

  private static Result claude(AssistantSettings s, String prompt, Path repo, String time)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(s.executable(), "-p", "--output-format", "json",
        "--permission-mode", "acceptEdits"));
    argv.addAll(s.extraArgs());
    StringBuilder out = new StringBuilder();
    AssistantProcess.Result p = AssistantProcess.run(argv, repo, s.env(), prompt, s.timeout(), l -> out.append(l).append('\n'),
        AssistantProcess.MAX_ANSWER_BYTES);
    JsonNode r = null;
    for (String line : out.toString().strip().split("\n")) {
      JsonNode n = tree(line);
      if (n != null && "result".equals(n.path("type").asText())) r = n;
    }
    if (r == null) r = tree(out.toString());
    boolean done = r != null && !r.path("is_error").asBoolean(false) && !p.timedOut();
    Long in = r == null ? null : r.path("usage").path("input_tokens").asLong(0);
    Long outTok = r == null ? null : r.path("usage").path("output_tokens").asLong(0);
    Double cost = r != null && r.hasNonNull("total_cost_usd") ? r.get("total_cost_usd").asDouble() : null;
    return finish("claude", time, p, r == null ? null : r.path("session_id").asText(null), in, outTok, cost, done,
        r != null ? r.path("result").asText("") : "claude gave no result (exit " + p.exitCode() + "): "
            + AssistantProposer.lastLine(p.stderrTail()));
  }

  private static Result finish(String name, String time, AssistantProcess.Result p, String session, Long in, Long out,
      Double cost, boolean done, String message) {
    String outcome = p.timedOut() ? AssistantAttempt.TIMEOUT : done ? EDITED : AssistantAttempt.FAILED;
    if (p.outputTooLarge()) {
      done = false;
      message = name + " answer too large: more than " + AssistantProcess.MAX_ANSWER_BYTES / (1024 * 1024)
          + " MiB on stdout; its process group was ended";
    }
    String error = p.timedOut() ? name + " did not finish within the timeout; its process group was killed"
        : done ? null : message;
    return new Result(done && !p.timedOut(), p.timedOut() ? error : message,
        new AssistantAttempt(time, name, session, in, out, cost, p.durationMs(), p.timedOut() ? null : p.exitCode(), outcome, error));
  }

  private static JsonNode tree(String text) {
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }
}
