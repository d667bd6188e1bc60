package dev.bq2.state;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/** Loads and saves the state file. A corrupt state is refused with a hint, never reset. */
public final class StateStore {
  private final Path file;

  /** Seeded on first use only: status and the runner's resume path never pay for seeding. */
  private static final class Random {
    static final SecureRandom INSTANCE = new SecureRandom();
  }

  public StateStore(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  public boolean exists() {
    return Files.exists(file);
  }

  /** The state on disk, or a fresh one (new rootfs id) when there is no file. */
  public BuildState load() {
    if (!Files.exists(file)) return fresh();
    String fix = "the state file is corrupt; repair it by hand, or move it aside (mv " + file + " "
        + file + ".bad) to start over: bq2 never resets progress silently";
    String text = Json.readText(file, fix);
    return Json.parse(file, text, BuildState.class, fix);
  }

  public void save(BuildState state) {
    AtomicFile.writeJson(file, state.withUpdatedAt(Timestamps.state(Instant.now())));
  }

  public static BuildState fresh() {
    byte[] id = new byte[8];
    Random.INSTANCE.nextBytes(id);
    return new BuildState(1, HexFormat.of().formatHex(id), Timestamps.state(Instant.now()), null, null,
        null, null, null, Progress.empty(), Map.of(), null, null);
  }

  /** Lowercase hex SHA-256 of the raw file bytes; null when the file does not exist. */
  public static String fileDigest(Path p) {
    if (p == null || !Files.exists(p)) return null;
    try {
      return sha256(Files.readAllBytes(p));
    } catch (IOException e) {
      throw Bq2Exception.badInput(p + ": cannot read (" + e.getMessage() + ")");
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
