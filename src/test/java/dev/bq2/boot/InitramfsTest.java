package dev.bq2.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Initramfs} against the real GNU `cpio` (list and extract); its boot is in {@link BootImagesTest}. */
class InitramfsTest {
  @TempDir Path dir;

  private static final long T1 = 1_600_000_000L;
  private static final long T2 = 1_700_000_000L;

  /** A tree with every kind of entry; returns the names the archive must list, in order. */
  private List<String> tree(Path root) throws Exception {
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("etc/private"));
    Files.createDirectories(root.resolve("dev"));
    Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n");
    Files.setAttribute(root.resolve("bin/tool"), "unix:mode", 04755);
    Files.writeString(root.resolve("etc/motd"), "hello\n");
    Files.setAttribute(root.resolve("etc/motd"), "unix:mode", 0644);
    Files.write(root.resolve("etc/private/key"), new byte[] {1, 2, 3, 0, (byte) 0xff});
    Files.setAttribute(root.resolve("etc/private/key"), "unix:mode", 0600);
    Files.setAttribute(root.resolve("etc/private"), "unix:mode", 0700);
    Files.createFile(root.resolve("etc/empty"));
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("/bin/tool")); // absolute: inside the guest
    Files.createSymbolicLink(root.resolve("bin/rel"), Path.of("tool"));
    Files.createSymbolicLink(root.resolve("bin/dangling"), Path.of("/nowhere/at/all"));
    Files.writeString(root.resolve("bin/linked-a"), "one file, two names\n");
    Files.createLink(root.resolve("etc/linked-b"), root.resolve("bin/linked-a"));
    BootImages.run(root, List.of("mknod", "dev/null", "c", "1", "3"));
    BootImages.run(root, List.of("mkfifo", "dev/fifo"));
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(root.resolve("dev/socket"))); // stays on disk after close: skipped
    }
    // touch -h: sets a symlink's own time and never opens the fifo (Java's setTimes would block on it).
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        BootImages.run(root, List.of("touch", "-h", "-d", "@" + (p.toString().contains("etc") ? T2 : T1), p.toString()));
      }
    }
    return List.of(".", "bin", "bin/dangling", "bin/linked-a", "bin/rel", "bin/sh", "bin/tool", "dev", "dev/fifo",
        "dev/null", "etc", "etc/empty", "etc/linked-b", "etc/motd", "etc/private", "etc/private/key");
  }

  @Test
  void gnuCpioListsAndExtractsWhatWasPacked() throws Exception {
    Path root = dir.resolve("root");
    List<String> expected = tree(root);
    Path cpio = dir.resolve("out/initrd.cpio");
    Initramfs.pack(root, cpio);

    assertEquals(expected, BootImages.run(dir, List.of("cpio", "-t", "--quiet", "-F", cpio.toString())).lines().toList(),
        "sorted, parents first, the socket left out");
    for (String line : BootImages.run(dir, List.of("cpio", "-t", "-v", "--numeric-uid-gid", "--quiet", "-F",
        cpio.toString())).lines().toList()) {
      String[] f = line.trim().split("\\s+");
      assertEquals("0", f[2], "owner uid 0: " + line);
      assertEquals("0", f[3], "group gid 0: " + line);
    }

    Path out = dir.resolve("extracted");
    Files.createDirectories(out);
    BootImages.run(out, List.of("cpio", "-i", "-d", "-m", "--quiet", "--no-absolute-filenames", "-F", cpio.toString()));
    for (String name : expected) {
      Path a = root.resolve(name);
      Path b = out.resolve(name);
      Map<String, Object> aa = Files.readAttributes(a, "unix:mode,rdev,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
      Map<String, Object> ba = Files.readAttributes(b, "unix:mode,rdev,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
      assertEquals(Integer.toOctalString((Integer) aa.get("mode")), Integer.toOctalString((Integer) ba.get("mode")), name);
      assertEquals(0, ba.get("uid"), name);
      assertEquals(aa.get("rdev"), ba.get("rdev"), name);
      if (Files.isSymbolicLink(a)) {
        assertEquals(Files.readSymbolicLink(a), Files.readSymbolicLink(b), name);
      } else if (Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS)) {
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), name);
        assertEquals(aa.get("lastModifiedTime"), ba.get("lastModifiedTime"), name);
      }
    }
    long rdev = (Long) Files.getAttribute(out.resolve("dev/null"), "unix:rdev");
    assertEquals(List.of(1L, 3L), List.of(Initramfs.major(rdev), Initramfs.minor(rdev)), "the device node is c 1 3");
    assertTrue(Files.isSameFile(out.resolve("bin/linked-a"), out.resolve("etc/linked-b")), "the hard link is one file again");
    assertEquals(2, Files.getAttribute(out.resolve("etc/linked-b"), "unix:nlink"));
    assertEquals("one file, two names\n", Files.readString(out.resolve("etc/linked-b")));

    // Stored once: the archive is smaller than headers plus both copies would be.
    byte[] bytes = Files.readAllBytes(cpio);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    assertEquals(text.indexOf("one file, two names"), text.lastIndexOf("one file, two names"), "data stored once");
    assertEquals(0, bytes.length % 512);
    try (Stream<Path> s = Files.list(cpio.getParent())) {
      assertEquals(List.of(cpio), s.toList(), "no temp file left beside the archive");
    }
  }

  @Test
  void sameTreeSameBytesEvenCopiedElsewhereAndAnMtimeChangesThem() throws Exception {
    Path root = dir.resolve("root");
    tree(root);
    Files.delete(root.resolve("dev/null")); // cp -a would copy it, fine, but keep the copy plain
    Path a = dir.resolve("a.cpio");
    Path b = dir.resolve("b.cpio");
    Initramfs.pack(root, a);
    Initramfs.pack(root, b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    Path copy = dir.resolve("copy");
    BootImages.run(dir, List.of("cp", "-a", root.toString(), copy.toString()));
    Path c = dir.resolve("c.cpio");
    Initramfs.pack(copy, c);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(c), "inode numbers come from the order, not the disk");
    Files.setLastModifiedTime(copy.resolve("etc/motd"), FileTime.fromMillis(T1 * 1000 + 5000));
    Initramfs.pack(copy, c); // replaces the existing archive
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "the mtime is in the archive");
  }

  @Test
  void errorsNameWhatIsWrong() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    IOException e = assertThrows(IOException.class, () -> Initramfs.pack(file, dir.resolve("o.cpio")));
    assertEquals("initramfs root " + file + " is not a directory", e.getMessage());

    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("var"));
    e = assertThrows(IOException.class, () -> Initramfs.pack(root, root.resolve("var/o.cpio")));
    assertTrue(e.getMessage().contains("is inside the tree it packs"), e.getMessage());

    Path big = root.resolve("var/huge.img");
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 1L << 32); // sparse: 4 GiB + 1 byte
    }
    Path out = Files.writeString(dir.resolve("old.cpio"), "previous archive");
    e = assertThrows(IOException.class, () -> Initramfs.pack(root, out));
    assertEquals("cannot pack " + big + " into the initramfs: 4294967297 bytes is more than newc cpio can hold"
        + " (4 GiB - 1)", e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertEquals("previous archive", Files.readString(out), "a failed pack leaves the old archive");
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
    }
  }

  @Test
  void initOfFollowsTheKernelsOrderAndLinksInsideTheTree() throws Exception {
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("sbin"));
    assertEquals(Optional.empty(), Initramfs.initOf(root));

    // Absolute link to a program the host has but the tree does not: not an init.
    Files.createSymbolicLink(root.resolve("sbin/init"), Path.of("/bin/sh"));
    assertTrue(Files.isExecutable(Path.of("/bin/sh")));
    assertEquals(Optional.empty(), Initramfs.initOf(root));

    Files.writeString(root.resolve("bin/busybox"), "not really");
    Files.setAttribute(root.resolve("bin/busybox"), "unix:mode", 0644);
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
    assertEquals(Optional.empty(), Initramfs.initOf(root), "not executable");
    Files.setAttribute(root.resolve("bin/busybox"), "unix:mode", 0755);
    assertEquals(Optional.of("/sbin/init"), Initramfs.initOf(root), "/sbin/init -> /bin/sh -> busybox, all in the tree");

    Files.delete(root.resolve("sbin/init"));
    assertEquals(Optional.of("/bin/sh"), Initramfs.initOf(root), "a shell as the last resort");

    Files.createSymbolicLink(root.resolve("init"), Path.of("../../../bin/busybox")); // .. stops at the tree's root
    assertEquals(Optional.of("/init"), Initramfs.initOf(root));
    Files.delete(root.resolve("init")); // on the host it points out of the temp folder: JUnit would warn
  }

  @Test
  void deviceNumbersDecodeLikeGlibc() {
    long dev = (259L << 8) & 0xfff00 | ((259L & ~0xfffL) << 32) | (70000L & 0xff) | ((70000L & ~0xffL) << 12);
    assertEquals(259, Initramfs.major(dev));
    assertEquals(70000, Initramfs.minor(dev));
    List<Long> small = new ArrayList<>(List.of(Initramfs.major(0x0103), Initramfs.minor(0x0103)));
    assertEquals(List.of(1L, 3L), small);
  }
}
