package dev.bq2.assistant;

import dev.bq2.redact.Redactor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything the assistant proposers need from the command line, resolved.
 *
 * @param repo where assistants run (Codex `-C`, Claude's cwd: its sessions are per cwd) when the
 *     request names no builder repo
 * @param executable the assistant binary (`codex`, `claude`, a path), unused by `command`
 * @param command the `--assistant-command` argv (prompt on stdin, proposal JSON on stdout)
 * @param sandbox Codex sandbox mode (`read-only` by default)
 * @param config Codex `-c key=value` overrides, passed through in order
 * @param extraArgs extra arguments appended to the assistant's own flags (e.g. `--model X`)
 * @param env variables added to the inherited environment (e.g. CODEX_HOME, ANTHROPIC_BASE_URL)
 * @param session where the conversation id is kept (null: no continuity)
 * @param journal receives every attempt, successful or not
 */
public record AssistantSettings(
    Path repo,
    String executable,
    List<String> command,
    Duration timeout,
    String sandbox,
    List<String> config,
    List<String> extraArgs,
    Map<String, String> env,
    SessionFile session,
    TokenBudget budget,
    PromptBuilder prompts,
    Consumer<AssistantAttempt> journal) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);
  public static final String DEFAULT_SANDBOX = "read-only";

  public AssistantSettings {
    command = command == null ? List.of() : List.copyOf(command);
    config = config == null ? List.of() : List.copyOf(config);
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
    env = env == null ? Map.of() : Map.copyOf(env);
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    sandbox = sandbox == null ? DEFAULT_SANDBOX : sandbox;
    budget = budget == null ? TokenBudget.unlimited() : budget;
    prompts = prompts == null ? new PromptBuilder(PromptBuilder.defaultDirs(repo), Redactor.forProcessEnv()) : prompts;
    journal = journal == null ? a -> { } : journal;
  }
}
