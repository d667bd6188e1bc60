package dev.bq2.assistant;

import dev.bq2.Bq2Exception;
import dev.bq2.Durations;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the executable an assistant runs as, and checks before any build that it is there and
 * answers `--version`: a night that ends at the first unknown failure with "codex: not found" is
 * a night lost. Lookup, as people expect of any command: a name with a slash is that path, a bare
 * name is looked up on PATH; `codex`/`claude` without `--assistant-binary` are also looked for in
 * the project's `tools/assistants/node_modules/.bin` (where `.ci/install-assistants.sh` puts them).
 */
public final class InstalledCli {
  /** What `--version` said, and where the executable is. */
  public record Found(String name, Path path, String version) {
    public String describe() {
      return version + " (" + path + ")";
    }
  }

  /** How to install each assistant CLI. */
  public static final Map<String, String> INSTALL = Map.of(
      "codex", "npm install -g @openai/codex",
      "claude", "npm install -g @anthropic-ai/claude-code");

  /** The versions the assistant tests drive (tools/assistants/package.json): older ones may lack flags we pass. */
  public static final Map<String, String> TESTED = Map.of("codex", "0.169.0", "claude", "2.1.197");

  /** `--version` of a node CLI starts node: seconds under load, never minutes. */
  public static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

  private InstalledCli() {}

  /**
   * A command as a shell finds it: with a slash, that file (relative to the current directory);
   * else the first executable of that name on {@code path}. Empty when there is none.
   */
  public static Optional<Path> resolve(String command, String path) {
    if (command.contains("/")) {
      Path p = Path.of(command).toAbsolutePath().normalize();
      return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    return Assistants.onPath(command, path);
  }

  /**
   * The executable for assistant {@code name} (`codex`, `claude`): {@code given}
   * (`--assistant-binary`) when set, else {@code name} on PATH, else in {@code projectBin}.
   * A missing one is a one-line error (exit 2) saying how to install it.
   */
  public static Path locate(String name, String given, String path, Path projectBin) {
    if (given != null) {
      return resolve(given, path).orElseThrow(() -> Bq2Exception.badInput("--assistant-binary " + given + ": "
          + (given.contains("/") ? "no executable file at " + Path.of(given).toAbsolutePath().normalize() : "not found on PATH")
          + "; " + howToInstall(name)));
    }
    Optional<Path> onPath = Assistants.onPath(name, path);
    if (onPath.isPresent()) return onPath.get();
    if (projectBin != null) {
      Path local = projectBin.resolve(name);
      if (Files.isRegularFile(local) && Files.isExecutable(local)) return local;
    }
    throw Bq2Exception.badInput("--assistant " + name + ": the " + name + " CLI is not installed (not on PATH"
        + (projectBin == null ? "" : ", not in " + projectBin) + "); " + howToInstall(name)
        + ", or pass --assistant-binary PATH");
  }

  /**
   * {@link #locate}, then `<it> --version` (at most {@link #VERSION_TIMEOUT}): it must exit 0 and
   * print a version. Runs in {@code cwd}.
   */
  public static Found check(String name, String given, String path, Path projectBin, Path cwd) throws InterruptedException {
    Path exe = locate(name, given, path, projectBin);
    StringBuilder out = new StringBuilder();
    AssistantProcess.Result r;
    try {
      r = AssistantProcess.run(java.util.List.of(exe.toString(), "--version"), cwd, Map.of(), "", VERSION_TIMEOUT,
          l -> out.append(l).append('\n'), 64 * 1024);
    } catch (IOException e) {
      throw Bq2Exception.badInput("--assistant " + name + ": " + exe + " cannot be started (" + e.getMessage() + "); "
          + howToInstall(name));
    }
    String said = out.toString().strip();
    if (r.timedOut()) {
      throw Bq2Exception.badInput("--assistant " + name + ": `" + exe + " --version` did not answer within "
          + Durations.text(VERSION_TIMEOUT) + "; check that it runs, or reinstall it: " + INSTALL.get(name));
    }
    if (r.exitCode() != 0) {
      throw Bq2Exception.badInput("--assistant " + name + ": `" + exe + " --version` exited " + r.exitCode()
          + lastLine(r.stderrTail().isBlank() ? said : r.stderrTail()) + "; reinstall it: " + INSTALL.get(name));
    }
    Matcher m = VERSION.matcher(said);
    if (!m.find()) {
      throw Bq2Exception.badInput("--assistant " + name + ": `" + exe + " --version` printed no version"
          + lastLine(said) + "; is it the " + name + " CLI? " + howToInstall(name));
    }
    String firstLine = said.lines().findFirst().orElse(said);
    return new Found(name, exe, firstLine.length() > 80 ? m.group() : firstLine);
  }

  /** Whether {@code found} is older than the version we test with (its flags may be missing). */
  public static boolean olderThanTested(Found found) {
    String tested = TESTED.get(found.name());
    Matcher a = VERSION.matcher(found.version());
    Matcher b = tested == null ? null : VERSION.matcher(tested);
    if (b == null || !a.find() || !b.find()) return false;
    for (int i = 1; i <= 3; i++) {
      int c = Long.compare(Long.parseLong(a.group(i)), Long.parseLong(b.group(i)));
      if (c != 0) return c < 0;
    }
    return false;
  }

  /** `install it with `npm install -g …` or the project's `.ci/install-assistants.sh``. */
  public static String howToInstall(String name) {
    String npm = INSTALL.get(name);
    return npm == null ? "give the path of an executable"
        : "install it with `" + npm + "` or the project's `.ci/install-assistants.sh`";
  }

  /**
   * The project's `tools/assistants/node_modules/.bin`: under `bq2.home` (set by bin/bq2), else
   * next to the jar or class folder we run from (`<project>/target/…`); null when unknown.
   */
  public static Path projectBin() {
    String home = System.getProperty("bq2.home");
    Path root = home != null && !home.isBlank() ? Path.of(home) : codeRoot();
    return root == null ? null : root.resolve("tools/assistants/node_modules/.bin");
  }

  private static Path codeRoot() {
    try {
      CodeSource cs = InstalledCli.class.getProtectionDomain().getCodeSource();
      if (cs == null || cs.getLocation() == null) return null;
      Path p = Path.of(cs.getLocation().toURI()); // <project>/target/bq2.jar or <project>/target/classes
      Path target = p.getParent();
      return target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
          ? target.getParent() : null;
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return null;
    }
  }

  private static String lastLine(String text) {
    String l = AssistantProposer.lastLine(text == null ? "" : text);
    return l == null || l.isBlank() ? "" : ": " + dev.bq2.TerminalText.escape(l.length() > 200 ? l.substring(0, 200) + "…" : l);
  }
}
