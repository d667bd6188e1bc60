package dev.bq2.state;

import dev.bq2.json.AtomicFile;
import dev.bq2.rootfs.RootfsLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * `var/lib/sysroot-build-status.txt`: the last `sysroot-status` output, kept so that `bin/bq2`
 * can print it without starting a JVM (a JVM start is ~20x the native tool's whole run).
 *
 * <p>The launcher may use it only when every stamp still matches what `stat` and `cksum` say now
 * about plan, overrides, state and the jar, so the file holds, in this order: a magic line, the
 * rootfs it answers for, the user config file that must not exist (it could change the
 * options' defaults), one `stat -c '%n %s %i %.9Y %.9Z'` line per existing input (size,
 * inode, mtime and ctime in nanoseconds: an atomic rewrite in the same second still differs),
 * one `cksum` line per existing data file (the content, for a rewrite the clock cannot tell
 * apart), a `--` line, then the exact stdout. It answers only for the default layout of a
 * rootfs, with overrides, as `key=value` lines; every other invocation runs Java.
 */
public final class StatusCache {
  private StatusCache() {}

  public static final String FILE = "var/lib/sysroot-build-status.txt";
  static final String MAGIC = "# bq2 sysroot-status cache v1";

  /** Where the cache of {@code layout} lives, or null when it has none (explicit paths). */
  public static Path path(RootfsLayout layout) {
    return RootfsLayout.of(layout.rootfs()).equals(layout) ? layout.rootfs().resolve(FILE) : null;
  }

  /**
   * Renders the status and, when the inputs did not change while it was rendered, keeps the
   * cache current. Best effort: a read-only rootfs or a missing jar only means no fast path.
   *
   * @param jar the launcher's `target/bq2.jar` (its stamp ties the cache to this build), or null
   * @param config the user defaults file; while it exists nothing is cached
   * @param render the exact stdout; it may throw (bad input), then nothing is written
   * @param clean whether the rendering wrote nothing to stderr (a warning must not be skipped)
   */
  public static String renderAndKeep(RootfsLayout layout, Path jar, Path config, Supplier<String> render,
      Supplier<Boolean> clean) {
    Path cache = path(layout);
    String before = cache == null || jar == null || Files.exists(config) ? null : stamps(layout, jar);
    String out = render.get();
    if (before != null && clean.get() && !hasControl(layout.rootfs() + config.toString()) && !Files.exists(config)) {
      String after = stamps(layout, jar);
      if (before.equals(after)) {
        try {
          AtomicFile.write(cache, MAGIC + "\nrootfs=" + layout.rootfs() + "\nconfig=" + config + "\n" + after + "--\n" + out);
        } catch (RuntimeException e) {
          // no cache: the next status starts a JVM, nothing else
        }
      }
    }
    return out;
  }

  /** The header lines the launcher recomputes; null when a file cannot be read. */
  static String stamps(RootfsLayout layout, Path jar) {
    List<Path> data = List.of(layout.plan(), layout.overrides(), layout.state());
    StringBuilder sb = new StringBuilder();
    try {
      for (Path p : List.of(layout.plan(), layout.overrides(), layout.state(), jar)) {
        String s = stat(p);
        if (s != null) sb.append(s).append('\n');
      }
      for (Path p : data) {
        String c = cksum(p);
        if (c != null) sb.append(c).append('\n');
      }
    } catch (IOException e) {
      return null;
    }
    return sb.toString();
  }

  /** As `stat -c '%n %s %i %.9Y %.9Z' FILE` prints it, or null when FILE does not exist. */
  public static String stat(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null;
    if (Files.isSymbolicLink(p)) throw new IOException(p + ": a symlink (stat -c would describe the link)");
    var a = Files.readAttributes(p, "unix:size,ino,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
    return p + " " + a.get("size") + " " + a.get("ino") + " " + seconds((FileTime) a.get("lastModifiedTime"))
        + " " + seconds((FileTime) a.get("ctime"));
  }

  private static String seconds(FileTime t) {
    Instant i = t.toInstant();
    return i.getEpochSecond() + "." + String.format("%09d", i.getNano());
  }

  /** As `cksum FILE` prints it (POSIX CRC over the bytes, then the length), or null when absent. */
  public static String cksum(Path p) throws IOException {
    long crc = 0;
    long len = 0;
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) crc = step(crc, buf[i] & 0xff);
        len += n;
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    for (long l = len; l != 0; l >>>= 8) crc = step(crc, (int) (l & 0xff));
    crc = ~crc & 0xffffffffL;
    return crc + " " + len + " " + p;
  }

  private static final long[] TABLE = new long[256];

  static {
    for (int i = 0; i < 256; i++) {
      long c = (long) i << 24;
      for (int k = 0; k < 8; k++) c = (c & 0x80000000L) != 0 ? ((c << 1) ^ 0x04C11DB7L) : (c << 1);
      TABLE[i] = c & 0xffffffffL;
    }
  }

  private static long step(long crc, int b) {
    return ((crc << 8) ^ TABLE[(int) (((crc >>> 24) ^ b) & 0xff)]) & 0xffffffffL;
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
