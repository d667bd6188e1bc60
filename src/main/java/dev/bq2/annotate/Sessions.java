package dev.bq2.annotate;

import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The autopilot's session folders (`<sessions>/<UTC>-<phase>/` with `journal.md`): where
 * back-annotation archives what it replaces, and whose summaries go into the commit body.
 */
public final class Sessions {
  /** One session's journal summary, for the commit body. */
  public record Summary(Path session, String text) {}

  private Sessions() {}

  /** Session folders, newest first. */
  public static List<Path> list(Path sessionsDir) {
    if (!Files.isDirectory(sessionsDir)) return List.of();
    try (Stream<Path> s = Files.list(sessionsDir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d{8}T\\d{6}Z-.+"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + sessionsDir, e);
    }
  }

  /** The newest session of {@code phase} (folder `<UTC>-<phase>` or `<UTC>-<phase>-N`). */
  public static Optional<Path> newestFor(Path sessionsDir, String phase) {
    String re = "\\d{8}T\\d{6}Z-" + java.util.regex.Pattern.quote(phase) + "(-\\d+)?";
    return list(sessionsDir).stream().filter(p -> p.getFileName().toString().matches(re)).findFirst();
  }

  /**
   * A fresh `back-annotate[-N]/` folder in the newest session, or in a new
   * `<UTC>-back-annotate/` session when there is none.
   */
  public static Path archiveDir(Path sessionsDir) {
    Path session = list(sessionsDir).stream().findFirst()
        .orElse(sessionsDir.resolve(Timestamps.fileSeconds(Instant.now()) + "-back-annotate"));
    Path dir = session.resolve("back-annotate");
    for (int n = 2; Files.exists(dir); n++) dir = session.resolve("back-annotate-" + n);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return dir;
  }

  /** The `## Summary` section of a session's `journal.md`, without its heading; empty when absent. */
  public static Optional<String> summary(Path session) {
    Path md = session.resolve("journal.md");
    if (!Files.isRegularFile(md)) return Optional.empty();
    try {
      List<String> lines = Files.readAllLines(md);
      StringBuilder sb = new StringBuilder();
      boolean in = false;
      for (String l : lines) {
        if (l.startsWith("## ")) {
          if (in) break;
          in = l.strip().equalsIgnoreCase("## Summary");
          continue;
        }
        if (in) sb.append(l).append('\n');
      }
      String s = sb.toString().strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
