package dev.bq2.assistant;

import dev.bq2.Bq2Exception;
import dev.bq2.propose.Proposer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Makes the proposer for an `--assistant` name, and finds which assistant `auto` would use. */
public final class Assistants {
  public static final List<String> NAMES = List.of("codex", "claude", "command");

  private Assistants() {}

  /** `codex`, `claude` or `command`; settings.executable() null means the name on PATH. */
  public static AssistantProposer create(String name, AssistantSettings s) {
    return switch (name) {
      case "codex" -> new CodexProposer(withExecutable(s, "codex"));
      case "claude" -> new ClaudeProposer(withExecutable(s, "claude"));
      case "command" -> new CommandProposer(s);
      default -> throw Bq2Exception.badInput("--assistant " + name + ": unknown assistant; use rules, codex, claude, command or auto");
    };
  }

  /** The first of `codex`, `claude` found on PATH (what `--assistant auto` adds after the rules). */
  public static Optional<String> detect(String path) {
    for (String name : List.of("codex", "claude")) {
      if (onPath(name, path).isPresent()) return Optional.of(name);
    }
    return Optional.empty();
  }

  public static Optional<Path> onPath(String name, String path) {
    if (path == null) return Optional.empty();
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  private static AssistantSettings withExecutable(AssistantSettings s, String dflt) {
    if (s.executable() != null) return s;
    return new AssistantSettings(s.repo(), dflt, s.command(), s.timeout(), s.sandbox(), s.config(),
        s.extraArgs(), s.env(), s.session(), s.budget(), s.prompts(), s.journal());
  }
}
