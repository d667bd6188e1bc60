package dev.bq2.supervise;

import dev.bq2.Bq2Exception;
import dev.bq2.WriteFailure;
import java.nio.file.Path;

/**
 * One runner per rootfs: two runners building the same step in the same tree corrupt each
 * other's build dirs, state and reports. The runner itself takes `sysroot-runner.lock` beside the
 * state file, the one file every runner of a rootfs shares however its paths were given (same
 * idiom as {@link AutopilotLock}, a different lock: the runner `iterate` starts holds this one
 * while `iterate` holds the autopilot's). A second runner is refused with exit 2 naming the
 * holder's pid and command. `--dry-run` writes nothing and takes no lock.
 */
public final class RunnerLock implements AutoCloseable {
  public static final String LOCK = "sysroot-runner.lock";
  public static final String HOLDER = "sysroot-runner.lock.json";

  private final OwnerLock lock;

  private RunnerLock(OwnerLock lock) {
    this.lock = lock;
  }

  /** Takes the lock in {@code dir}; exit 2 naming the live holder, exit 3 when the folder cannot be written. */
  public static RunnerLock acquire(Path dir) {
    return new RunnerLock(OwnerLock.acquire(dir, LOCK, HOLDER, RunnerLock::held, WriteFailure::of));
  }

  public LockHolder holder() {
    return lock.holder;
  }

  @Override
  public void close() {
    lock.close();
  }

  private static Bq2Exception held(Path lockFile, LockHolder h) {
    String stop = h == null ? "wait for it to finish" : "wait for it to finish, or stop it (`bq2 stop`, or kill " + h.pid() + ")";
    return Bq2Exception.badInput("another runner holds " + lockFile + ": "
        + OwnerLock.describe(h, x -> x.command() == null ? "" : " (" + x.command() + ")") + "; " + stop);
  }
}
