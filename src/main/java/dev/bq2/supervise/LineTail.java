package dev.bq2.supervise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * A growing file read as lines from a byte offset, in 64 KiB reads (never the whole file):
 * what {@code tail -F} does for one file. An incomplete last line and an incomplete UTF-8
 * sequence wait for the next read; a file that shrank is read again from the start.
 */
final class LineTail {
  private static final int CHUNK = 64 * 1024;
  /** A line longer than this is cut (a runaway progress bar must not grow the heap). */
  private static final int MAX_LINE = 16 * 1024;

  private final Path file;
  private final StringBuilder partial = new StringBuilder();
  private final byte[] pending = new byte[4];
  private int pendingLen;
  private long offset;

  LineTail(Path file, long offset) {
    this.file = file;
    this.offset = offset;
  }

  Path file() {
    return file;
  }

  long offset() {
    return offset;
  }

  /** Hands each complete line appended since the last call to {@code sink}; true when anything was read. */
  boolean read(Consumer<String> sink) throws IOException {
    long before = offset;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < offset) {
        offset = 0; // truncated or replaced: start over
        partial.setLength(0);
        pendingLen = 0;
      }
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      while (offset < size) {
        buf.clear();
        int n = ch.read(buf, offset);
        if (n <= 0) break;
        offset += n;
        decode(buf.array(), n, sink);
      }
    } catch (NoSuchFileException e) {
      // not created yet
    }
    return offset != before;
  }

  /** Hands an unterminated last line to {@code sink} (the file is done). */
  void flush(Consumer<String> sink) {
    if (partial.length() > 0) {
      String line = partial.toString();
      partial.setLength(0);
      sink.accept(line);
    }
  }

  static long size(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return ch.size();
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  private void decode(byte[] bytes, int n, Consumer<String> sink) {
    byte[] all = bytes;
    int len = n;
    if (pendingLen > 0) {
      all = new byte[pendingLen + n];
      System.arraycopy(pending, 0, all, 0, pendingLen);
      System.arraycopy(bytes, 0, all, pendingLen, n);
      len = pendingLen + n;
      pendingLen = 0;
    }
    int cut = len;
    // Hold back a trailing incomplete UTF-8 sequence (at most 3 bytes).
    for (int i = len - 1; i >= Math.max(0, len - 3); i--) {
      int b = all[i] & 0xff;
      if (b < 0x80) break;
      if (b >= 0xc0) {
        int need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (len - i < need) cut = i;
        break;
      }
    }
    pendingLen = len - cut;
    System.arraycopy(all, cut, pending, 0, pendingLen);
    String text = new String(all, 0, cut, StandardCharsets.UTF_8);
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        appendPartial(text, start, i);
        String line = partial.toString();
        partial.setLength(0);
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        sink.accept(line);
        start = i + 1;
      }
    }
    appendPartial(text, start, text.length());
  }

  private void appendPartial(String text, int from, int to) {
    int room = MAX_LINE - partial.length();
    if (room > 0) partial.append(text, from, Math.min(to, from + room));
  }
}
