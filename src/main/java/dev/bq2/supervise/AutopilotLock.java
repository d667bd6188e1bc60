package dev.bq2.supervise;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;

/**
 * One autopilot per rootfs. The OS lock (`FileChannel.tryLock` on `autopilot.lock`, held for
 * the life of the process and released by the kernel even on kill -9) decides; the holder's
 * pid and start time are written beside it in `autopilot.lock.json` so a refused second
 * autopilot can name the holder. The lock file itself is never deleted or renamed, so every
 * contender locks the same inode. (The runner's own lock is {@link RunnerLock}: the runner an
 * autopilot starts takes that one, so the two never refuse each other.)
 */
public final class AutopilotLock implements AutoCloseable {
  public static final String LOCK = "autopilot.lock";
  public static final String HOLDER = "autopilot.lock.json";

  private final OwnerLock lock;

  private AutopilotLock(OwnerLock lock) {
    this.lock = lock;
  }

  /** Takes the lock in {@code logDir} or fails with exit 2 naming the live holder's pid. */
  public static AutopilotLock acquire(Path logDir) {
    return new AutopilotLock(OwnerLock.acquire(logDir, LOCK, HOLDER, AutopilotLock::held,
        (file, e) -> Bq2Exception.badInput("cannot lock " + file + ": " + e.getMessage() + "; check that the rootfs is writable")));
  }

  /** The autopilot holding this rootfs now, if one is alive (read from its holder file, no lock taken). */
  public static java.util.Optional<LockHolder> liveHolder(Path logDir) {
    return java.util.Optional.ofNullable(OwnerLock.readHolder(logDir.resolve(HOLDER))).filter(LockHolder::alive);
  }

  public LockHolder holder() {
    return lock.holder;
  }

  /** The stale holder this lock was taken over from (its process is gone), or null. */
  public LockHolder tookOverFrom() {
    return lock.previous;
  }

  @Override
  public void close() {
    lock.close();
  }

  private static Bq2Exception held(Path lockFile, LockHolder h) {
    String stop = h == null ? "" : " or stop it (kill " + h.pid() + ")";
    return Bq2Exception.badInput("another autopilot holds " + lockFile + ": " + OwnerLock.describe(h, x -> "")
        + "; follow it with `bq2 iterate --attach`" + stop);
  }
}
