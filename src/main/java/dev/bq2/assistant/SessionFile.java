package dev.bq2.assistant;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an assistant conversation id is kept between runs (`/work/.codex-session-id` by default,
 * as the seeds and the earlier tool had it): one id plus a newline, written atomically, so a
 * crash mid-write never leaves half an id behind.
 */
public final class SessionFile {
  public static final Path DEFAULT_CODEX = Path.of("/work/.codex-session-id");
  public static final Path DEFAULT_CLAUDE = Path.of("/work/.claude-session-id");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final Path path;

  public SessionFile(Path path) {
    this.path = path.toAbsolutePath().normalize();
  }

  public Path path() {
    return path;
  }

  /** The stored id; empty when the file is missing or blank (as the earlier tool treated it). */
  public Optional<String> read() {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw Bq2Exception.badInput(path + ": cannot read session id (" + e.getMessage()
          + "); fix its permissions or run `bq2 session clear --session-file " + path + "`");
    }
    if (text.isEmpty()) return Optional.empty();
    if (!ID.matcher(text).matches()) {
      throw Bq2Exception.badInput(path + ":1:1: not a session id (expected one UUID-like word); "
          + "run `bq2 session clear --session-file " + path + "`");
    }
    return Optional.of(text);
  }

  public void write(String id) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a session id: " + id);
    }
    AtomicFile.write(path, id + "\n");
  }

  /** Deletes the file; true when there was one. */
  public boolean clear() {
    try {
      return Files.deleteIfExists(path);
    } catch (IOException e) {
      throw Bq2Exception.badInput(path + ": cannot delete (" + e.getMessage() + "); fix its permissions");
    }
  }
}
