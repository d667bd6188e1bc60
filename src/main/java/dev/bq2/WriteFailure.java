package dev.bq2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A file of ours could not be written: a full or read-only disk, or no permission. That is not
 * a build failure (exit 1) but something a person fixes on the machine (exit 3), so the message
 * names the path and the fix.
 */
public final class WriteFailure {
  private WriteFailure() {}

  /** Exit 3: cannot write {@code path} for the reason in {@code e}, and what to do about it. */
  public static Bq2Exception of(Path path, IOException e) {
    return new Bq2Exception(ExitCodes.NEEDS_PERSON, "cannot write " + path + ": " + reason(e) + "; " + fix(path, e), e);
  }

  /**
   * The exit-3 form of an exception that came from a failed write of ours (one whose cause is an
   * {@link IOException}, as `AtomicFile` throws), or null when {@code e} is something else.
   */
  public static Bq2Exception fromWrite(Bq2Exception e) {
    if (e.exitCode() != ExitCodes.STEP_FAILED || !(e.getCause() instanceof IOException io)) return null;
    Path path = io instanceof FileSystemException f && f.getFile() != null ? Path.of(f.getFile()) : null;
    String msg = e.getMessage();
    return new Bq2Exception(ExitCodes.NEEDS_PERSON, msg + "; " + fix(path, io), e);
  }

  /** The exit-3 form of an {@link UncheckedIOException} from a write of ours (a copy, a new folder). */
  public static Bq2Exception fromUnchecked(UncheckedIOException e) {
    IOException io = e.getCause();
    Path path = io instanceof FileSystemException f && f.getFile() != null ? Path.of(f.getFile()) : null;
    String msg = e.getMessage() == null || e.getMessage().equals(io.toString()) ? "cannot write" : e.getMessage();
    return new Bq2Exception(ExitCodes.NEEDS_PERSON, msg + ": " + reason(io) + (path == null ? "" : " (" + path + ")")
        + "; " + fix(path, io), e);
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** What to do, from the OS's words (ENOSPC, EDQUOT, EROFS, EACCES). */
  static String fix(Path path, IOException e) {
    String why = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    String where = path == null ? "the rootfs" : path.getParent() == null ? path.toString() : path.getParent().toString();
    if (why.contains("no space left") || why.contains("quota")) {
      return "the disk is full: free space on the file system holding " + where + " (see `df -h " + where + "`), then rerun";
    }
    if (why.contains("read-only")) {
      return "the file system holding " + where + " is read-only: remount it read-write (`mount -o remount,rw`), then rerun";
    }
    return "make " + where + " writable for this user (or free space there), then rerun";
  }
}
