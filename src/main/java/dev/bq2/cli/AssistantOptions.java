package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.assistant.AssistantAttempt;
import dev.bq2.assistant.AssistantProposer;
import dev.bq2.assistant.AssistantSettings;
import dev.bq2.assistant.Assistants;
import dev.bq2.assistant.PromptBuilder;
import dev.bq2.redact.Redactor;
import dev.bq2.assistant.SessionFile;
import dev.bq2.assistant.TokenBudget;
import dev.bq2.propose.Proposer;
import dev.bq2.propose.RuleProposer;
import dev.bq2.propose.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The `--assistant*` flags, as a picocli mixin for the commands that ask assistants (the
 * autopilot): `@Mixin AssistantOptions assistant;` then {@link #proposer}.
 */
public class AssistantOptions {
  @Option(names = "--assistant", paramLabel = "NAME", defaultValue = "auto", completionCandidates = Names.class,
      description = "rules, codex, claude, command or auto (rules, then the first of codex/claude on PATH); default ${DEFAULT-VALUE}.")
  public String assistant;

  @Option(names = "--assistant-command", paramLabel = "CMD",
      description = "Executable for --assistant command: prompt on stdin, proposal JSON on stdout.")
  public Path command;

  @Option(names = "--assistant-binary", paramLabel = "PATH",
      description = "The codex/claude executable (default: found on PATH).")
  public String binary;

  @Option(names = "--assistant-timeout", paramLabel = "DURATION", defaultValue = "15m",
      description = "Kill the assistant's process group after this long (e.g. 90s, 15m, 1h); default ${DEFAULT-VALUE}.")
  public String timeout;

  @Option(names = "--assistant-sandbox", paramLabel = "MODE", defaultValue = "read-only", completionCandidates = SandboxModes.class,
      description = {"Codex sandbox: read-only, workspace-write or danger-full-access; default ${DEFAULT-VALUE}.",
          "Back-annotation edits of a code builder use workspace-write in place of read-only."})
  public String sandbox;

  @Option(names = "--assistant-config", paramLabel = "KEY=VALUE",
      description = "Passed to Codex as -c KEY=VALUE (repeatable), e.g. model=\"gpt-5\".")
  public List<String> config = new ArrayList<>();

  @Option(names = "--assistant-arg", paramLabel = "ARG",
      description = "Extra argument for the assistant CLI (repeatable), e.g. --assistant-arg=--model --assistant-arg=opus.")
  public List<String> args = new ArrayList<>();

  @Option(names = "--session-file", paramLabel = "FILE", defaultValue = "/work/.codex-session-id",
      description = "Codex thread id kept between runs; default ${DEFAULT-VALUE}.")
  public Path sessionFile;

  @Option(names = "--claude-session-file", paramLabel = "FILE", defaultValue = "/work/.claude-session-id",
      description = "Claude Code session id kept between runs; default ${DEFAULT-VALUE}.")
  public Path claudeSessionFile;

  @Option(names = "--max-assistant-tokens", paramLabel = "N", defaultValue = "0",
      description = "Stop (exit 3) when assistants have used this many tokens; 0 = no limit.")
  public long maxTokens;

  /** What `--assistant` takes (tab completion): auto, rules, then the assistants we can run. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>(List.of("auto", "rules"));
      names.addAll(Assistants.NAMES);
      return names.iterator();
    }
  }

  /** What `--assistant-sandbox` takes (tab completion): Codex's sandbox modes. */
  static final class SandboxModes implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("read-only", "workspace-write", "danger-full-access").iterator();
    }
  }

  /**
   * The proposers in the order they are asked: the rules (the built-in ones, with {@code rulesFile}
   * in front when given; cheap, offline, deterministic), then the assistant when one is chosen or found.
   */
  public List<Proposer> proposers(Path rulesFile, Path repo, Consumer<AssistantAttempt> journal) {
    List<Proposer> chain = new ArrayList<>(List.of(new RuleProposer(RuleSet.load(rulesFile))));
    proposer(repo, budget(), journal).ifPresent(chain::add);
    return chain;
  }

  /**
   * The assistant proposer to use after the rules, or empty for `rules` (and for `auto` when no
   * assistant is on PATH). {@code repo} is where assistants run and prompt templates are looked up.
   */
  public Optional<AssistantProposer> proposer(Path repo, TokenBudget budget, Consumer<AssistantAttempt> journal) {
    Optional<String> chosen = chosen("prompt on stdin, proposal JSON on stdout");
    if (chosen.isEmpty()) return Optional.empty();
    String name = chosen.get();
    Path session = name.equals("claude") ? claudeSessionFile : name.equals("codex") ? sessionFile : null;
    // Without a builder repo the assistant runs (and Claude keeps its sessions) in the current directory.
    Path cwd = repo != null ? repo : Path.of("").toAbsolutePath();
    AssistantSettings s = new AssistantSettings(cwd, binary,
        command == null ? List.of() : List.of(command.toAbsolutePath().toString()), duration(timeout), sandbox, config,
        args, Map.of(), session == null ? null : new SessionFile(session), budget,
        new PromptBuilder(PromptBuilder.defaultDirs(repo), Redactor.forProcessEnv()), journal);
    return Optional.of(Assistants.create(name, s));
  }

  /**
   * The assistant `--assistant` names, with `auto` resolved against PATH; empty for `rules` and
   * for `auto` with none on PATH. {@code commandUse} tells a `command` without a path what the
   * executable is for here.
   */
  Optional<String> chosen(String commandUse) {
    String name = assistant;
    if (name.equals("rules")) return Optional.empty();
    if (name.equals("auto")) return Assistants.detect(System.getenv("PATH"));
    if (!Assistants.NAMES.contains(name)) {
      throw Bq2Exception.badInput("--assistant " + name + ": unknown; use rules, codex, claude, command or auto");
    }
    if (name.equals("command") && command == null) {
      throw Bq2Exception.badInput("--assistant command needs --assistant-command PATH (" + commandUse + ")");
    }
    return Optional.of(name);
  }

  public TokenBudget budget() {
    return new TokenBudget(maxTokens);
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  /** The `--assistant-timeout` value; see {@link #duration(String, String)}. */
  public static Duration duration(String text) {
    return duration("--assistant-timeout", text);
  }

  /** `90s`, `15m`, `1h`, `500ms`, or plain seconds; a bad value is an error naming {@code flag}. */
  public static Duration duration(String flag, String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) {
      throw Bq2Exception.badInput(flag + " " + text + ": expected a duration such as 90s, 15m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d = switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero()) throw Bq2Exception.badInput(flag + " " + text + ": must be more than zero");
    return d;
  }
}
