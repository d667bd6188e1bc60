package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.assistant.AssistantAttempt;
import dev.bq2.assistant.AssistantProposer;
import dev.bq2.assistant.AssistantSettings;
import dev.bq2.assistant.Assistants;
import dev.bq2.assistant.InstalledCli;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The `--assistant*` flags, as a picocli mixin for the commands that ask assistants (the
 * autopilot): `@Mixin AssistantOptions assistant;` then {@link #proposer}.
 */
public class AssistantOptions {
  @Option(names = "--assistant", paramLabel = "NAME", defaultValue = "auto", converter = Checked.AssistantName.class, completionCandidates = Names.class,
      description = "rules, codex, claude, command or auto (rules, then the first of codex/claude on PATH); default ${DEFAULT-VALUE}.")
  public String assistant;

  @Option(names = "--assistant-command", paramLabel = "CMD",
      description = "Executable for --assistant command, which it implies (a name is looked up on PATH): prompt on stdin, proposal JSON on stdout.")
  public Path command;

  /** The command this mixin is part of: which options were given on its command line. */
  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--assistant-binary", paramLabel = "PATH",
      description = "The codex/claude executable (default: found on PATH, else in the project's tools/assistants/node_modules/.bin).")
  public String binary;

  /** The codex/claude executable {@link #checkInstalled} found (null: not checked, the name is run as given). */
  private Path checkedBinary;

  @Option(names = "--assistant-timeout", paramLabel = "DURATION", defaultValue = "15m", converter = Checked.PositiveDuration.class,
      description = "Kill the assistant's process group after this long (e.g. 90s, 15m, 1h); default ${DEFAULT-VALUE}.")
  public String timeout;

  @Option(names = "--assistant-sandbox", paramLabel = "MODE", defaultValue = "read-only", converter = Checked.Sandbox.class, completionCandidates = SandboxModes.class,
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
    AssistantSettings s = new AssistantSettings(cwd, executable(),
        commandArgv(), duration(timeout), sandbox, config,
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
    String name = name();
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

  /**
   * Before any build starts: the assistant `--assistant` names is installed and runs. For
   * `codex`/`claude` the CLI is found (as {@link InstalledCli#locate}) and must answer `--version`;
   * for `command` the executable must exist. Empty for `rules` and `auto` (which takes what it
   * finds on PATH, or none). A missing or broken one is one line saying how to install it, exit 2.
   */
  public Optional<InstalledCli.Found> checkInstalled() throws InterruptedException {
    String assistant = name();
    if (assistant.equals("rules") || assistant.equals("auto")) return Optional.empty();
    chosen("prompt on stdin, proposal JSON on stdout");
    if (assistant.equals("command")) {
      commandArgv();
      return Optional.empty();
    }
    InstalledCli.Found found = InstalledCli.check(assistant, binary, System.getenv("PATH"), InstalledCli.projectBin(),
        Path.of("").toAbsolutePath());
    checkedBinary = found.path();
    if (InstalledCli.olderThanTested(found)) {
      System.err.println("bq2: note: " + found.describe() + " is older than " + InstalledCli.TESTED.get(assistant)
          + ", the version bq2 is tested with; if its calls fail, update it: " + InstalledCli.INSTALL.get(assistant));
    }
    return Optional.of(found);
  }

  /**
   * The assistant to use: `--assistant`, except that `--assistant-command` implies `command`
   * (it was ignored otherwise). Given on the command line it wins over an `assistant` from the
   * config file; from the config file it only replaces `auto`, so a config may keep a command
   * for the days `--assistant command` is asked for. Both options on the command line with
   * another assistant is a usage error (exit 2) naming both.
   */
  String name() {
    if (command == null || assistant.equals("command")) return assistant;
    boolean nameGiven = given("--assistant");
    if (nameGiven && given("--assistant-command")) {
      throw Bq2Exception.badInput("--assistant " + assistant + " conflicts with --assistant-command " + command
          + " (which implies --assistant command); drop one of the two");
    }
    if (nameGiven) return assistant; // the config file's command is for `--assistant command`
    return given("--assistant-command") || assistant.equals("auto") ? "command" : assistant;
  }

  /** Whether {@code option} was given on the command line (not taken from the config file or a default). */
  private boolean given(String option) {
    ParseResult r = mixee == null ? null : mixee.commandLine().getParseResult();
    return r != null && r.hasMatchedOption(option);
  }

  /** The codex/claude executable: as checked, else `--assistant-binary`, else null (the name on PATH). */
  String executable() {
    return checkedBinary != null ? checkedBinary.toString() : binary;
  }

  /**
   * `--assistant-command` as argv: a name with a slash is that file, a bare name is looked up on
   * PATH like any command (never `./NAME`); not found is one line, exit 2. Empty when not given.
   */
  List<String> commandArgv() {
    if (command == null) return List.of();
    String given = command.toString();
    Path exe = InstalledCli.resolve(given, System.getenv("PATH")).orElseThrow(() -> Bq2Exception.badInput(
        "--assistant-command " + given + ": " + (given.contains("/")
            ? "no executable file at " + command.toAbsolutePath().normalize()
            : "not found on PATH; give its path (e.g. ./" + given + ") or add its folder to PATH")));
    return List.of(exe.toString());
  }

  private static long part(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }

  public TokenBudget budget() {
    return new TokenBudget(maxTokens);
  }

  /** Plain seconds, or parts as bq2 prints durations: `90s`, `15m`, `1h30m`, `2m30s`, `2.5s`, `500ms`. */
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)|(?=\\d)(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)(?:\\.(\\d{1,3}))?s)?(?:(\\d+)ms)?");

  /** The `--assistant-timeout` value; see {@link #duration(String, String)}. */
  public static Duration duration(String text) {
    return duration("--assistant-timeout", text);
  }

  /** `90s`, `15m`, `1h`, `1h30m`, `500ms`, or plain seconds; a bad value is an error naming {@code flag}. */
  public static Duration duration(String flag, String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) {
      throw Bq2Exception.badInput(flag + " " + text + ": expected a duration such as 90s, 15m, 1h or 1h30m");
    }
    Duration d;
    if (m.group(1) != null) {
      d = Duration.ofSeconds(Long.parseLong(m.group(1)));
    } else {
      String fraction = m.group(5) == null ? "0" : (m.group(5) + "00").substring(0, 3);
      d = Duration.ofHours(part(m, 2)).plusMinutes(part(m, 3)).plusSeconds(part(m, 4))
          .plusMillis(Long.parseLong(fraction)).plusMillis(part(m, 6));
    }
    if (d.isZero()) throw Bq2Exception.badInput(flag + " " + text + ": must be more than zero");
    return d;
  }
}
