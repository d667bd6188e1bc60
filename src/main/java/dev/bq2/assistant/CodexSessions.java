package dev.bq2.assistant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The id of the newest Codex session under a CODEX_HOME: the rollout file
 * (`sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`) with the newest modification time whose
 * path holds a UUID, as the earlier tool took it (docs/formats.md#upstream-formats).
 */
public final class CodexSessions {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", Pattern.CASE_INSENSITIVE);

  private CodexSessions() {}

  public static Optional<String> newest(Path codexHome) {
    Path sessions = codexHome.resolve("sessions");
    if (!Files.isDirectory(sessions)) return Optional.empty();
    String best = null;
    FileTime bestTime = null;
    try (Stream<Path> files = Files.walk(sessions)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!Files.isRegularFile(f) || !f.toString().endsWith(".jsonl")) continue;
        Matcher m = UUID.matcher(sessions.relativize(f).toString());
        if (!m.find()) continue;
        FileTime t = Files.getLastModifiedTime(f);
        if (bestTime == null || t.compareTo(bestTime) > 0) {
          bestTime = t;
          best = m.group().toLowerCase();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan " + sessions, e);
    }
    return Optional.ofNullable(best);
  }
}
