package dev.bq2.supervise;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The lock idiom shared by {@link AutopilotLock} and {@link RunnerLock}: an OS lock
 * (`FileChannel.tryLock`, released by the kernel even on kill -9) on a file that is never
 * deleted, so every contender locks the same inode, and beside it a JSON file naming the holder
 * (pid, /proc start time, boot id, command) so a refused contender can say who holds it.
 */
final class OwnerLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;
  private final Path holderFile;
  final LockHolder holder;
  final LockHolder previous;

  private OwnerLock(FileChannel channel, FileLock lock, Path holderFile, LockHolder holder, LockHolder previous) {
    this.channel = channel;
    this.lock = lock;
    this.holderFile = holderFile;
    this.holder = holder;
    this.previous = previous;
  }

  /**
   * Takes `dir/lockName` or throws {@code held(lockFile, recordedHolder)}; an I/O error is
   * turned into an exception by {@code ioError(lockFile, error)}.
   */
  static OwnerLock acquire(Path dir, String lockName, String holderName,
      BiFunction<Path, LockHolder, Bq2Exception> held, BiFunction<Path, IOException, Bq2Exception> ioError) {
    Path d = dir.toAbsolutePath().normalize();
    Path lockFile = d.resolve(lockName);
    Path holderFile = d.resolve(holderName);
    FileChannel ch = null;
    try {
      Files.createDirectories(d);
      boolean created = !Files.exists(lockFile);
      ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (created) newFileMode(lockFile);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very process
      }
      LockHolder recorded = readHolder(holderFile);
      // Belt and braces: a live recorded holder also counts where the OS lock is not shared.
      if (lock == null || (recorded != null && recorded.pid() != ProcessHandle.current().pid() && recorded.alive())) {
        if (lock != null) lock.release();
        ch.close();
        throw held.apply(lockFile, recorded);
      }
      LockHolder me = LockHolder.self();
      try {
        AtomicFile.writeJson(holderFile, me);
      } catch (Bq2Exception e) {
        lock.release();
        ch.close();
        throw e.getCause() instanceof IOException io ? ioError.apply(holderFile, io) : e;
      }
      return new OwnerLock(ch, lock, holderFile, me, recorded);
    } catch (IOException e) {
      closeQuietly(ch);
      throw ioError.apply(lockFile, e);
    }
  }

  @Override
  public void close() {
    try {
      LockHolder recorded = readHolder(holderFile);
      if (recorded != null && recorded.pid() == holder.pid()) Files.deleteIfExists(holderFile);
    } catch (IOException | Bq2Exception e) {
      // a stale holder file is taken over by the next holder anyway
    }
    try {
      if (lock.isValid()) lock.release();
    } catch (IOException e) {
      // closing the channel below releases it too
    }
    closeQuietly(channel);
  }

  /** "pid N (command C) since T", or that the pid is not known yet. */
  static String describe(LockHolder h, Function<LockHolder, String> extra) {
    if (h == null) return "another process (pid unknown yet)";
    String host = h.host() == null ? "" : " on " + h.host();
    return "pid " + h.pid() + extra.apply(h) + host + (h.acquiredAt() == null ? "" : " since " + h.acquiredAt());
  }

  static LockHolder readHolder(Path file) {
    if (!Files.isRegularFile(file)) return null;
    try {
      return Json.read(file, LockHolder.class, "remove it; it is rewritten by the next holder");
    } catch (Bq2Exception e) {
      return null; // unreadable holder info: the OS lock still decides
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) return;
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }

  /** A lock file we create is 0644 whatever the umask, as every file we create (docs/formats.md). */
  private static void newFileMode(Path file) {
    try {
      Files.setPosixFilePermissions(file, AtomicFile.NEW_FILE_MODE);
    } catch (IOException | UnsupportedOperationException e) {
      // another owner or no POSIX modes: the lock works all the same
    }
  }
}
