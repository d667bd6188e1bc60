package dev.bq2.boot;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Packs a rootfs directory as an uncompressed newc cpio archive, the format the kernel unpacks as
 * an initramfs, so `boot-check --rootfs DIR` needs no external `cpio` and no root-owned copy.
 *
 * <p>What goes in, and why:
 * <ul>
 *   <li>regular files, directories and symlinks (kept as links: a rootfs's absolute links such as
 *       `/sbin/init -> /bin/busybox` point into the guest, never to the host);</li>
 *   <li>hard links once: the data goes with the first name, later names carry size 0 and the same
 *       inode number, which the kernel (and GNU cpio) turn back into links;</li>
 *   <li>every entry owned by uid/gid 0 (the tree was built by an unprivileged user; the guest runs
 *       as root) with the tree's permission bits, set-uid included (busybox `su` needs it);</li>
 *   <li>character/block devices and fifos are packed (a built rootfs may ship `/dev/console` or
 *       `/dev/null` for an init that runs before devtmpfs is mounted); sockets are skipped: a
 *       socket file is a stale leftover of a process that ran on the host and means nothing in
 *       the guest;</li>
 *   <li>entries sorted by path bytes (parents before children), inode numbers assigned in that
 *       order and mtimes kept, so the same tree gives the same bytes.</li>
 * </ul>
 * The archive is written to a temp file beside {@code out} and renamed, so a reader never sees
 * half an archive.
 */
public final class Initramfs {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFIFO = 0010000;
  /** newc stores sizes and times in 8 hex digits. */
  private static final long MAX_U32 = 0xFFFF_FFFFL;
  /** The order the kernel tries init programs in (`rdinit=` default, then `init=` defaults). */
  private static final List<String> INIT_CANDIDATES =
      List.of("/init", "/sbin/init", "/etc/init", "/bin/init", "/bin/sh");

  private Initramfs() {}

  /**
   * Packs {@code root} into {@code out}. Fails with a one-line {@link IOException} naming the file
   * that could not be read or packed.
   */
  public static void pack(Path root, Path out) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("initramfs root " + root + " is not a directory");
    }
    Path absRoot = root.toAbsolutePath().normalize();
    Path absOut = out.toAbsolutePath().normalize();
    if (absOut.startsWith(absRoot)) {
      throw new IOException("initramfs output " + out + " is inside the tree it packs (" + root
          + "): write it elsewhere");
    }
    List<Entry> entries = new ArrayList<>();
    collect(absRoot, absRoot, entries);
    entries.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
    assignInodes(entries);

    Path dir = absOut.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + absOut.getFileName() + ".", ".tmp");
    boolean done = false;
    try {
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        CountingOutput co = new CountingOutput(os);
        for (Entry e : entries) write(co, e);
        writeHeader(co, 0, 0, 1, 0, 0, "TRAILER!!!".getBytes(StandardCharsets.US_ASCII), 0, 0);
        // Pad to a 512-byte block as GNU cpio does; the kernel skips trailing zeros.
        while (co.count % 512 != 0) co.write(0);
      }
      Files.move(tmp, absOut, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    } finally {
      if (!done) Files.deleteIfExists(tmp);
    }
  }

  /**
   * The program to boot the tree with, as the guest sees it ({@code rdinit=} takes it): `/init`,
   * `/sbin/init`, `/etc/init`, `/bin/init` (the kernel's own order), else `/bin/sh`; empty when
   * none is an executable regular file. Symlinks are followed inside the tree, never on the host.
   */
  public static Optional<String> initOf(Path root) {
    for (String candidate : INIT_CANDIDATES) {
      Optional<Path> target = resolveInside(root, candidate);
      if (target.isPresent() && Files.isRegularFile(target.get(), LinkOption.NOFOLLOW_LINKS)
          && isExecutable(target.get())) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean isExecutable(Path p) {
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0111) != 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Resolves a guest path inside {@code root}: absolute link targets restart at the root. */
  static Optional<Path> resolveInside(Path root, String guestPath) {
    List<String> pending = new ArrayList<>(List.of(guestPath.split("/")));
    List<String> done = new ArrayList<>();
    int hops = 0;
    while (!pending.isEmpty()) {
      String part = pending.remove(0);
      if (part.isEmpty() || part.equals(".")) continue;
      if (part.equals("..")) {
        if (!done.isEmpty()) done.remove(done.size() - 1);
        continue;
      }
      Path here = root;
      for (String d : done) here = here.resolve(d);
      here = here.resolve(part);
      if (Files.isSymbolicLink(here)) {
        if (++hops > 40) return Optional.empty();
        String target;
        try {
          target = Files.readSymbolicLink(here).toString();
        } catch (IOException e) {
          return Optional.empty();
        }
        if (target.startsWith("/")) done.clear();
        pending.addAll(0, List.of(target.split("/")));
      } else if (Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
        done.add(part);
      } else {
        return Optional.empty();
      }
    }
    Path p = root;
    for (String d : done) p = p.resolve(d);
    return Optional.of(p);
  }

  private static final class Entry {
    final Path path;
    final byte[] name;
    final int mode;
    final long mtime;
    final long size;
    final long rdev;
    final Object fileKey;
    int nlink = 1;
    long ino;
    boolean dataHere = true;

    Entry(Path path, byte[] name, int mode, long mtime, long size, long rdev, Object fileKey) {
      this.path = path;
      this.name = name;
      this.mode = mode;
      this.mtime = mtime;
      this.size = size;
      this.rdev = rdev;
      this.fileKey = fileKey;
    }

    int type() {
      return mode & S_IFMT;
    }
  }

  private static void collect(Path root, Path p, List<Entry> out) throws IOException {
    Map<String, Object> a;
    try {
      a = Files.readAttributes(p, "unix:mode,ino,dev,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw failure(p, "cannot read its attributes", e);
    }
    int mode = (Integer) a.get("mode");
    int type = mode & S_IFMT;
    if (type == S_IFSOCK) return; // see the class comment
    String rel = root.relativize(p).toString();
    byte[] name = (rel.isEmpty() ? "." : rel).getBytes(StandardCharsets.UTF_8);
    long mtime = Math.max(0, Math.min(MAX_U32, ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000));
    long size = type == S_IFREG ? (Long) a.get("size") : 0;
    if (type == S_IFREG && size > MAX_U32) {
      throw new IOException("cannot pack " + p + " into the initramfs: " + size
          + " bytes is more than newc cpio can hold (4 GiB - 1)");
    }
    String key = a.get("dev") + ":" + a.get("ino");
    out.add(new Entry(p, name, mode, mtime, size, (Long) a.get("rdev"), key));
    if (type == S_IFDIR) {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
        for (Path c : ds) children.add(c);
      } catch (IOException e) {
        throw failure(p, "cannot list the directory", e);
      }
      for (Path c : children) collect(root, c, out);
    }
  }

  /** Inode numbers in archive order; the names of one hard-linked file share one number. */
  private static void assignInodes(List<Entry> entries) {
    Map<Object, List<Entry>> regular = new HashMap<>();
    for (Entry e : entries) {
      if (e.type() == S_IFREG) regular.computeIfAbsent(e.fileKey, k -> new ArrayList<>()).add(e);
    }
    Map<Path, Integer> subdirs = new HashMap<>();
    for (Entry e : entries) {
      if (e.type() == S_IFDIR && e.path.getParent() != null) subdirs.merge(e.path.getParent(), 1, Integer::sum);
    }
    long next = 1;
    Map<Object, Long> inoOf = new HashMap<>();
    for (Entry e : entries) {
      if (e.type() == S_IFREG) {
        List<Entry> group = regular.get(e.fileKey);
        Long known = inoOf.get(e.fileKey);
        e.nlink = group.size();
        if (known != null) {
          e.ino = known;
          e.dataHere = false;
        } else {
          e.ino = next++;
          inoOf.put(e.fileKey, e.ino);
        }
      } else {
        e.ino = next++;
        if (e.type() == S_IFDIR) e.nlink = 2 + subdirs.getOrDefault(e.path, 0);
      }
    }
  }

  private static void write(CountingOutput out, Entry e) throws IOException {
    int perms = e.mode & 07777;
    int mode = e.type() | perms;
    switch (e.type()) {
      case S_IFREG -> {
        long size = e.dataHere ? e.size : 0;
        writeHeader(out, e.ino, mode, e.nlink, e.mtime, size, e.name, 0, 0);
        if (size > 0) copyFile(out, e, size);
        pad(out);
      }
      case S_IFLNK -> {
        byte[] target;
        try {
          target = Files.readSymbolicLink(e.path).toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException x) {
          throw failure(e.path, "cannot read the symlink", x);
        }
        writeHeader(out, e.ino, S_IFLNK | 0777, 1, e.mtime, target.length, e.name, 0, 0);
        out.write(target);
        pad(out);
      }
      case S_IFDIR, S_IFIFO -> writeHeader(out, e.ino, mode, e.nlink, e.mtime, 0, e.name, 0, 0);
      case S_IFCHR, S_IFBLK -> writeHeader(out, e.ino, mode, 1, e.mtime, 0, e.name, major(e.rdev), minor(e.rdev));
      default -> throw new IOException("cannot pack " + e.path + " into the initramfs: unknown file type "
          + Integer.toOctalString(e.type()));
    }
  }

  private static void copyFile(CountingOutput out, Entry e, long size) throws IOException {
    long copied = 0;
    try (InputStream in = Files.newInputStream(e.path, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while (copied < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - copied))) > 0) {
        out.write(buf, 0, n);
        copied += n;
      }
    } catch (IOException x) {
      throw failure(e.path, "cannot read the file", x);
    }
    if (copied != size) {
      throw new IOException("cannot pack " + e.path + " into the initramfs: it shrank from " + size + " to "
          + copied + " bytes while being packed (is something still writing the tree?)");
    }
  }

  private static IOException failure(Path p, String what, IOException cause) {
    String why = cause instanceof AccessDeniedException ? "permission denied"
        : cause instanceof NoSuchFileException ? "it vanished while being packed"
        : String.valueOf(cause.getMessage());
    return new IOException("cannot pack " + p + " into the initramfs: " + what + ": " + why, cause);
  }

  /** glibc's gnu_dev_major / gnu_dev_minor. */
  static long major(long dev) {
    return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
  }

  static long minor(long dev) {
    return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
  }

  private static void writeHeader(CountingOutput out, long ino, int mode, int nlink, long mtime, long size,
      byte[] name, long rdevMajor, long rdevMinor) throws IOException {
    StringBuilder h = new StringBuilder(110).append("070701");
    for (long v : new long[] {ino, mode, 0, 0, nlink, mtime, size, 0, 0, rdevMajor, rdevMinor, name.length + 1, 0}) {
      h.append(String.format("%08X", v & MAX_U32));
    }
    out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(name);
    out.write(0);
    pad(out);
  }

  private static void pad(CountingOutput out) throws IOException {
    while (out.count % 4 != 0) out.write(0);
  }

  private static final class CountingOutput {
    final OutputStream os;
    long count;

    CountingOutput(OutputStream os) {
      this.os = os;
    }

    void write(int b) throws IOException {
      os.write(b);
      count++;
    }

    void write(byte[] b) throws IOException {
      write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) throws IOException {
      os.write(b, off, len);
      count += len;
    }
  }
}
