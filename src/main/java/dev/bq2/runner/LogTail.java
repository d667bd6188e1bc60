package dev.bq2.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The last lines of a (possibly huge) log, read backwards from the end. */
public final class LogTail {
  private LogTail() {}

  public static List<String> last(Path file, int lines) {
    return last(file, lines, 0);
  }

  /** The last lines at or after byte {@code from} (the start of the failed command's output). */
  public static List<String> last(Path file, int lines, long from) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long pos = f.length();
      long floor = from < 0 || from > pos ? 0 : from;
      byte[] chunk = new byte[16384];
      ByteArrayOutputStream rev = new ByteArrayOutputStream();
      int newlines = 0;
      boolean skippedFinal = false;
      while (pos > floor && newlines <= lines) {
        int n = (int) Math.min(chunk.length, pos - floor);
        pos -= n;
        f.seek(pos);
        f.readFully(chunk, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (chunk[i] == '\n') {
            if (!skippedFinal && rev.size() == 0) {
              skippedFinal = true; // the file's trailing newline ends the last line
              continue;
            }
            if (++newlines > lines - 1) {
              pos = floor;
              break;
            }
          }
          rev.write(chunk[i]);
        }
      }
      byte[] b = rev.toByteArray();
      for (int i = 0, j = b.length - 1; i < j; i++, j--) {
        byte t = b[i];
        b[i] = b[j];
        b[j] = t;
      }
      if (b.length == 0) return List.of();
      return new ArrayList<>(Arrays.asList(new String(b, StandardCharsets.UTF_8).split("\n", -1)));
    } catch (IOException e) {
      return List.of();
    }
  }
}
