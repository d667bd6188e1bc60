package dev.bq2.json;

import dev.bq2.Bq2Exception;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ExitCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that readers see the old content or the new one, never a torn one: a temp
 * file in the same folder, fsync, rename over the target, fsync of the folder.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Pretty JSON, atomically. The last line of defence for "never write what we would refuse to
   * read": a string over {@link TextBounds#ANY_STRING} chars (a log line, an error no writer
   * bounded) is cut, and a document over the reader's size limit is not written at all.
   */
  public static void writeJson(Path target, Object value) {
    String text = Json.pretty(value);
    if (text.length() > TextBounds.ANY_STRING) {
      JsonNode tree = Json.MAPPER.valueToTree(value);
      if (TextBounds.clipStrings(tree, TextBounds.ANY_STRING)) text = Json.pretty(tree);
    }
    if (text.length() > Json.MAX_DOCUMENT_BYTES / 4) {
      long bytes = text.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > Json.MAX_DOCUMENT_BYTES) {
        throw new Bq2Exception(ExitCodes.STEP_FAILED, "not writing " + target + ": " + bytes
            + " bytes, more than bq2 reads back (" + Json.MAX_DOCUMENT_BYTES + "); the file is left as it was");
      }
    }
    write(target, text);
  }

  public static void write(Path target, String text) {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  public static void write(Path target, byte[] bytes) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      setMode(tmp, target);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      syncDirectory(dir);
    } catch (IOException e) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the temp file is hidden and harmless; the target is untouched
        }
      }
    }
  }

  /** A new file's mode: the existing tool's files are 0644 (its default mode under umask 022). */
  public static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

  /**
   * The temp file gets the mode the target has (a user who made the state group-writable, or
   * private, keeps that across our rewrites), else 0644 like the existing tool's files;
   * createTempFile alone would make every rewritten file 0600.
   */
  private static void setMode(Path tmp, Path target) throws IOException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(target);
    } catch (NoSuchFileException e) {
      mode = NEW_FILE_MODE;
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to copy
    }
    try {
      Files.setPosixFilePermissions(tmp, mode);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  /**
   * Appends one line and fsyncs, all or nothing; used for the append-only JSONL files. A short
   * write (a full disk, a file size limit) is retried until the line is written or the write
   * fails; then the file is truncated back to its previous length and the error names the file,
   * so no fragment is left for the next line to glue onto. A torn last line left by an older
   * version (no final newline) is first cut off with one warning on stderr when it is not a whole
   * JSON value, or ended with a newline when it is.
   */
  public static void appendLine(Path target, String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot append to " + target + ": " + e.getMessage(), e);
    }
    createIfMissing(target);
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      long before = ch.size();
      byte[] prefix = new byte[0];
      if (before > 0 && lastByte(ch, before) != '\n') {
        long start = lineStart(ch, before);
        byte[] fragment = read(ch, start, (int) Math.min(before - start, Json.MAX_DOCUMENT_BYTES));
        if (isJson(fragment)) {
          prefix = new byte[] {'\n'};
        } else {
          System.err.println("bq2: warning: " + target + ": dropped a torn last line (" + (before - start)
              + " bytes, an interrupted write by an older bq2) before appending; the lines before it are kept");
          ch.truncate(start);
          before = start;
        }
      }
      ByteBuffer buf = ByteBuffer.allocate(prefix.length + bytes.length).put(prefix).put(bytes).flip();
      try {
        long pos = before;
        while (buf.hasRemaining()) {
          int n = ch.write(buf, pos);
          if (n <= 0) throw new IOException("no progress writing (" + buf.remaining() + " bytes left)");
          pos += n;
        }
        ch.force(true);
      } catch (IOException e) {
        String undo;
        try {
          ch.truncate(before);
          ch.force(true);
          undo = "nothing was appended (the file is as before)";
        } catch (IOException e2) {
          undo = "and truncating it back to " + before + " bytes failed too (" + e2.getMessage() + ")";
        }
        throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot append to " + target + ": " + e.getMessage()
            + "; " + undo + "; free space on that file system and run again", e);
      }
    } catch (IOException e) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot append to " + target + ": " + e.getMessage(), e);
    }
  }

  /** A new JSONL file is 0644 whatever the umask, as every file we create; an existing one keeps its mode. */
  private static void createIfMissing(Path target) {
    if (Files.exists(target)) return;
    try {
      Files.createFile(target);
      Files.setPosixFilePermissions(target, NEW_FILE_MODE);
    } catch (FileAlreadyExistsException e) {
      // another writer created it first; it set the mode
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    } catch (IOException e) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot append to " + target + ": " + e.getMessage(), e);
    }
  }

  private static int lastByte(FileChannel ch, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    ch.read(b, size - 1);
    return b.get(0);
  }

  /** Offset just after the last newline before {@code size}, or 0. */
  private static long lineStart(FileChannel ch, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8192);
    long end = size;
    while (end > 0) {
      long from = Math.max(0, end - b.capacity());
      b.clear().limit((int) (end - from));
      while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) { }
      for (int i = (int) (end - from) - 1; i >= 0; i--) {
        if (b.get(i) == '\n') return from + i + 1;
      }
      end = from;
    }
    return 0;
  }

  private static byte[] read(FileChannel ch, long from, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) { }
    return b.array();
  }

  private static boolean isJson(byte[] fragment) {
    try {
      Json.MAPPER.readTree(fragment);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // some file systems refuse to open directories; the rename itself is still atomic
    }
  }
}
