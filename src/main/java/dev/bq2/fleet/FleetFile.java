package dev.bq2.fleet;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.json.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Reads and writes the fleet file (`--fleet FILE`, default `./bq2-fleet.json`). Writes are
 * atomic ({@link AtomicFile}); a change is a read-modify-write under an OS lock on
 * `<file>.lock`, so two `bq2 fleet` commands at once (a submit and a `status --resubmit`) never
 * lose each other's jobs. The lock is blocking: the other command holds it for milliseconds
 * (sbatch and the write), never across a wait for a job.
 */
public final class FleetFile {
  public static final String DEFAULT = "bq2-fleet.json";
  private static final String FIX = "it is written by `bq2 fleet submit`; fix the JSON or move it away";

  private final Path file;

  public FleetFile(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  public Path path() {
    return file;
  }

  public boolean exists() {
    return Files.isRegularFile(file);
  }

  /** The fleet as recorded; an absent file is an empty fleet of {@code engine}. */
  public FleetRecord read(String engine) {
    if (!exists()) return FleetRecord.empty(engine);
    FleetRecord r = Json.read(file, FleetRecord.class, FIX);
    if (r.version() != FleetRecord.VERSION) {
      throw Bq2Exception.badInput(file + ": version " + r.version() + " is not one this bq2 reads (" + FleetRecord.VERSION
          + "); use the bq2 that wrote it, or move the file away");
    }
    if (r.engine() == null || r.engine().isBlank()) throw Bq2Exception.badInput(file + ": engine: missing; " + FIX);
    for (int i = 0; i < r.builds().size(); i++) {
      FleetBuild b = r.builds().get(i);
      if (b.rootfs() == null || b.jobId() == null || b.submitted() == null) {
        throw Bq2Exception.badInput(file + ": builds[" + i + "]: rootfs, job_id and submitted are required; " + FIX);
      }
    }
    return r;
  }

  /** The recorded fleet; exit 2 naming the file when there is none. */
  public FleetRecord readExisting() {
    if (!exists()) {
      throw Bq2Exception.badInput("no fleet file " + file + "; submit builds with `bq2 fleet submit`, or name the file with --fleet FILE");
    }
    return read(null);
  }

  /** Reads, changes and writes the fleet under the file lock; returns what was written. */
  public FleetRecord update(String engine, UnaryOperator<FleetRecord> change) {
    try (LockFile l = lock()) {
      FleetRecord before = read(engine);
      FleetRecord after = change.apply(before);
      if (!after.equals(before)) AtomicFile.writeJson(file, after);
      return after;
    }
  }

  /** Writes the fleet atomically; the caller holds {@link #lock()} since it read it. */
  public void write(FleetRecord fleet) {
    AtomicFile.writeJson(file, fleet);
  }

  /**
   * Holds the fleet file's lock (`<fleet file>.lock`, blocking) until closed: for a check and a
   * change that belong together.
   */
  public LockFile lock() {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    try {
      return LockFile.acquire(lockFile);
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot lock " + lockFile + ": " + e.getMessage() + "; make its folder writable or pass --fleet FILE");
    }
  }
}
