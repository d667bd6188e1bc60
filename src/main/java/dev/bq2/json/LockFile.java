package dev.bq2.json;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking lock on a lock file beside a file we read, change and write back ({@link AtomicFile}
 * replaces the file itself, so the lock cannot live on it), held until closed. Processes are
 * kept apart by the OS lock, threads of this JVM by a lock per path: the OS lock belongs to the
 * process, and a second {@code FileChannel.lock} of the same file in one JVM throws instead of
 * waiting. The kernel releases the OS lock if we die; a new lock file gets the mode of our new
 * files.
 */
public final class LockFile implements AutoCloseable {
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final ReentrantLock jvm;
  private final FileChannel channel;
  private final FileLock lock;

  private LockFile(ReentrantLock jvm, FileChannel channel, FileLock lock) {
    this.jvm = jvm;
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits for the lock on {@code lockFile} (created with its folder when missing). */
  public static LockFile acquire(Path lockFile) throws IOException {
    ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new ReentrantLock());
    jvm.lock();
    try {
      Files.createDirectories(lockFile.toAbsolutePath().getParent());
      boolean created = !Files.exists(lockFile);
      FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        if (created) newFileMode(lockFile);
        return new LockFile(jvm, ch, ch.lock());
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      jvm.unlock();
      throw e;
    }
  }

  private static void newFileMode(Path f) {
    try {
      Files.setPosixFilePermissions(f, AtomicFile.NEW_FILE_MODE);
    } catch (IOException | UnsupportedOperationException e) {
      // the lock works all the same
    }
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) lock.release();
      channel.close();
    } catch (IOException e) {
      // closing the channel releases the lock in any case
    } finally {
      jvm.unlock();
    }
  }
}
