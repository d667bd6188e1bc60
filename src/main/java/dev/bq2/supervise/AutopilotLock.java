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

/**
 * One autopilot per rootfs. The OS lock (`FileChannel.tryLock` on `autopilot.lock`, held for
 * the life of the process and released by the kernel even on kill -9) decides; the holder's
 * pid and start time are written beside it in `autopilot.lock.json` so a refused second
 * autopilot can name the holder. The lock file itself is never deleted or renamed, so every
 * contender locks the same inode.
 */
public final class AutopilotLock implements AutoCloseable {
  public static final String LOCK = "autopilot.lock";
  public static final String HOLDER = "autopilot.lock.json";

  private final FileChannel channel;
  private final FileLock lock;
  private final Path holderFile;
  private final LockHolder holder;
  private final LockHolder previous;

  private AutopilotLock(FileChannel channel, FileLock lock, Path holderFile, LockHolder holder, LockHolder previous) {
    this.channel = channel;
    this.lock = lock;
    this.holderFile = holderFile;
    this.holder = holder;
    this.previous = previous;
  }

  /** Takes the lock in {@code logDir} or fails with exit 2 naming the live holder's pid. */
  public static AutopilotLock acquire(Path logDir) {
    Path dir = logDir.toAbsolutePath().normalize();
    Path lockFile = dir.resolve(LOCK);
    Path holderFile = dir.resolve(HOLDER);
    FileChannel ch = null;
    try {
      Files.createDirectories(dir);
      ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
        throw held(lockFile, recorded);
      }
      LockHolder me = LockHolder.self();
      AtomicFile.writeJson(holderFile, me);
      return new AutopilotLock(ch, lock, holderFile, me, recorded);
    } catch (IOException e) {
      closeQuietly(ch);
      throw Bq2Exception.badInput("cannot lock " + lockFile + ": " + e.getMessage() + "; check that the rootfs is writable");
    }
  }

  public LockHolder holder() {
    return holder;
  }

  /** The stale holder this lock was taken over from (its process is gone), or null. */
  public LockHolder tookOverFrom() {
    return previous;
  }

  @Override
  public void close() {
    try {
      LockHolder recorded = readHolder(holderFile);
      if (recorded != null && recorded.pid() == holder.pid()) Files.deleteIfExists(holderFile);
    } catch (IOException | Bq2Exception e) {
      // a stale holder file is taken over by the next autopilot anyway
    }
    try {
      if (lock.isValid()) lock.release();
    } catch (IOException e) {
      // closing the channel below releases it too
    }
    closeQuietly(channel);
  }

  private static Bq2Exception held(Path lockFile, LockHolder h) {
    String who = h == null ? "another process (pid unknown yet)"
        : "pid " + h.pid() + (h.acquiredAt() == null ? "" : " since " + h.acquiredAt());
    String stop = h == null ? "" : " or stop it (kill " + h.pid() + ")";
    return Bq2Exception.badInput("another autopilot holds " + lockFile + ": " + who
        + "; follow it with `bq2 iterate --attach`" + stop);
  }

  private static LockHolder readHolder(Path file) {
    if (!Files.isRegularFile(file)) return null;
    try {
      return Json.read(file, LockHolder.class, "remove it; it is rewritten by the next autopilot");
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
}
