package dev.bq2.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Bootable test guests built from Debian packages, for the real-QEMU tests of `boot-check`.
 *
 * <p>The kernel is Debian's `linux-image-amd64` (downloaded once per `target/` and shared); every
 * guest is a busybox-static tree written fresh into the caller's folder (a test owns its copy, so
 * two QEMUs never share a writable image). The same trees boot with and without a serial console
 * on the kernel command line: each init finds its console in `/sys/class/tty/console/active`.
 */
public final class BootImages {
  /** The unprivileged user of {@link Guest#GETTY_LOGIN}, its uid and password. */
  public static final String USER = "tester";
  public static final int USER_UID = 1000;
  public static final String USER_PASSWORD = "tester-pw";
  /** Root's password in {@link Guest#GETTY_LOGIN} (for `su -`). */
  public static final String ROOT_PASSWORD = "root-pw";
  /** The guests' host name (it appears in their prompts and the getty banner). */
  public static final String HOSTNAME = "bq2-guest";
  /** Printed by every guest's init once it runs (before the shell or getty starts). */
  public static final String INIT_MARKER = "bq2-guest: init running";
  /** The kernel command line the disk images boot with unless told otherwise. */
  public static final String SERIAL_APPEND = "console=ttyS0,115200";

  /** The busybox-static guests. */
  public enum Guest {
    /**
     * Init mounts proc/sys/devtmpfs and runs a root login shell on the console (respawned when it
     * exits). The prompt is coloured (`ESC[1;32m…ESC[0m`) and carries an OSC title and
     * bracketed-paste on; the profile also prints a cursor query `ESC[6n` (busybox ash's line
     * editor sends one too), an OSC title and bracketed-paste on/off.
     */
    COLOURED_SHELL,
    /**
     * Busybox init runs `getty 115200 <console tty>`; `login` as {@link #USER} (uid 1000) with
     * {@link #USER_PASSWORD} gives a `$` shell; `su -` with {@link #ROOT_PASSWORD} gives uid 0, a
     * wrong password is refused ("su: incorrect password"). Busybox is set-uid root, as su needs.
     */
    GETTY_LOGIN,
    /**
     * Busybox without any init: no `/init`, `/sbin/init`, `/etc/init`, `/bin/init` or `/bin/sh`
     * ({@link Initramfs#initOf} is empty). Booted as an initramfs the kernel finds no `/init`, looks
     * for a root device instead and panics: "Kernel panic - not syncing: VFS: Unable to mount root
     * fs on unknown-block(0,0)".
     */
    NO_INIT,
    /**
     * `/init` is there and executable but cannot run: a dynamically linked program (the host's
     * `true`) whose ELF loader the tree lacks, the usual mistake of a from-source rootfs. The kernel
     * says "Failed to execute /init (error -2)", tries the other inits and panics: "Kernel panic -
     * not syncing: No working init found."
     */
    BROKEN_INIT
  }

  private static final Object JVM_LOCK = new Object();

  private BootImages() {}

  /** The folder shared by the test JVMs of this `target/` (kernel cache, its lock). */
  public static Path cacheDir() {
    return Path.of("target", "boot-cache").toAbsolutePath();
  }

  /**
   * An x86_64 Debian kernel (`vmlinuz`): {@code BQ2_TEST_KERNEL} when set, else the versioned
   * package `linux-image-amd64` depends on, `apt-get download`ed into `target/boot-cache/` once
   * (a file lock makes concurrent test JVMs wait for the first).
   */
  public static Path kernel() throws IOException {
    String env = System.getenv("BQ2_TEST_KERNEL");
    if (env != null && !env.isBlank()) {
      Path k = Path.of(env);
      if (!Files.isRegularFile(k)) throw new IOException("BQ2_TEST_KERNEL=" + env + " is not a file");
      return k;
    }
    return kernel(cacheDir());
  }

  /** {@link #kernel()} cached in {@code cache}; each download appends a line to `downloads.log` there. */
  static Path kernel(Path cache) throws IOException {
    Files.createDirectories(cache);
    synchronized (JVM_LOCK) {
      try (FileChannel ch = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = ch.lock()) {
        Path done = cache.resolve("kernel.path");
        if (Files.isRegularFile(done)) {
          Path k = Path.of(Files.readString(done).trim());
          if (Files.isRegularFile(k)) return k;
        }
        String pkg = kernelPackage();
        run(cache, List.of("apt-get", "download", "-q", pkg));
        Files.writeString(cache.resolve("downloads.log"), pkg + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Path deb;
        try (Stream<Path> s = Files.list(cache)) {
          deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
              .findFirst().orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb in " + cache));
        }
        Path unpack = Files.createTempDirectory(cache, "unpack");
        run(unpack, List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -x --wildcards './boot/vmlinuz-*'", "sh",
            deb.toString()));
        Path vmlinuz;
        try (Stream<Path> s = Files.list(unpack.resolve("boot"))) {
          vmlinuz = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
              .orElseThrow(() -> new IOException(deb + " holds no boot/vmlinuz-*"));
        }
        Path k = cache.resolve(vmlinuz.getFileName());
        Files.move(vmlinuz, k, StandardCopyOption.REPLACE_EXISTING);
        run(cache, List.of("rm", "-rf", unpack.toString()));
        Files.delete(deb); // 70 MB of modules we do not need
        Path tmp = cache.resolve("kernel.path.tmp");
        Files.writeString(tmp, k + "\n");
        Files.move(tmp, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return k;
      }
    }
  }

  /** `java … dev.bq2.boot.BootImages CACHE`: the kernel cached in CACHE (for the test of concurrent JVMs). */
  public static void main(String[] args) throws IOException {
    System.out.println(kernel(Path.of(args[0])));
  }

  /** The versioned kernel package the `linux-image-amd64` metapackage depends on. */
  static String kernelPackage() throws IOException {
    String out = run(Path.of("."), List.of("apt-cache", "depends", "linux-image-amd64"));
    for (String line : out.split("\n")) {
      String t = line.trim();
      if (t.startsWith("Depends: linux-image-")) return t.substring("Depends: ".length()).trim();
    }
    throw new IOException("apt-cache depends linux-image-amd64 names no linux-image-* package:\n" + out);
  }

  /** Writes {@code guest}'s tree into {@code dir} (created; must be empty if it exists) and returns it. */
  public static Path rootfs(Guest guest, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> s = Files.list(dir)) {
      if (s.findAny().isPresent()) throw new IOException("rootfs folder " + dir + " is not empty");
    }
    for (String d : List.of("bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "usr/bin", "usr/sbin")) {
      Files.createDirectories(dir.resolve(d));
    }
    Path busybox = dir.resolve("bin/busybox");
    Files.copy(Path.of("/bin/busybox"), busybox, StandardCopyOption.COPY_ATTRIBUTES);
    Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    for (String applet : applets()) {
      if ((guest == Guest.NO_INIT || guest == Guest.BROKEN_INIT) && (applet.equals("sh") || applet.equals("init") || applet.equals("ash"))) continue;
      Path link = dir.resolve("bin").resolve(applet);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("busybox"));
    }
    write(dir, "etc/hostname", HOSTNAME + "\n", "rw-r--r--");
    write(dir, "etc/profile", PROFILE, "rw-r--r--");
    // Root has a name (the prompt shows it) in every guest; GETTY_LOGIN adds its user below.
    write(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", "rw-r--r--");
    write(dir, "etc/group", "root:x:0:\n", "rw-r--r--");
    switch (guest) {
      case COLOURED_SHELL -> write(dir, "init", COLOURED_INIT, "rwxr-xr-x");
      case GETTY_LOGIN -> {
        write(dir, "init", GETTY_INIT, "rwxr-xr-x");
        Files.createSymbolicLink(dir.resolve("sbin/init"), Path.of("../bin/busybox"));
        write(dir, "etc/issue", "bq2 test guest (getty + login)\n\n", "rw-r--r--");
        write(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
            + USER + ":x:" + USER_UID + ":" + USER_UID + ":test user:/home/" + USER + ":/bin/sh\n", "rw-r--r--");
        write(dir, "etc/group", "root:x:0:\n" + USER + ":x:" + USER_UID + ":\n", "rw-r--r--");
        write(dir, "etc/shadow", "root:" + hash(ROOT_PASSWORD) + ":19000:0:99999:7:::\n"
            + USER + ":" + hash(USER_PASSWORD) + ":19000:0:99999:7:::\n", "rw-------");
        Files.createDirectories(dir.resolve("home").resolve(USER));
        // su (and login) must run as root from an unprivileged shell: busybox checks its set-uid bit.
        Files.setAttribute(busybox, "unix:mode", 04755);
      }
      case NO_INIT -> { }
      case BROKEN_INIT -> Files.copy(Path.of("/usr/bin/true"), dir.resolve("init"));
    }
    return dir;
  }

  /** {@code guest} packed as an initramfs: `DIR/<guest>.cpio` (its tree in `DIR/<guest>-rootfs/`). */
  public static Path initramfs(Guest guest, Path dir) throws IOException {
    Path tree = rootfs(guest, dir.resolve(name(guest) + "-rootfs"));
    Path cpio = dir.resolve(name(guest) + ".cpio");
    Initramfs.pack(tree, cpio);
    return cpio;
  }

  /** {@link #rawDiskImage(Guest, Path, String)} with {@link #SERIAL_APPEND}. */
  public static Path rawDiskImage(Guest guest, Path dir) throws IOException {
    return rawDiskImage(guest, dir, SERIAL_APPEND);
  }

  /**
   * A raw disk image SeaBIOS boots (`DIR/<guest>.img`): one FAT file system without a partition
   * table (`mkfs.vfat`), syslinux in its boot sector (`syslinux --install`, through mtools, no
   * mount), and `vmlinuz`, `initrd.img` and `syslinux.cfg` (`SERIAL 0 115200`, kernel command
   * line {@code append}) copied in with `mcopy`. With an {@code append} that names no serial
   * console, syslinux's own banner still reaches the serial port, the kernel's output does not.
   */
  public static Path rawDiskImage(Guest guest, Path dir, String append) throws IOException {
    Path initrd = initramfs(guest, dir);
    Path kernel = kernel();
    long needed = Files.size(kernel) + Files.size(initrd);
    long mib = Math.max(32, needed / (1 << 20) + 8);
    Path img = dir.resolve(name(guest) + ".img");
    Path cfg = dir.resolve(name(guest) + "-syslinux.cfg");
    Files.writeString(cfg, "SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n"
        + "  KERNEL /vmlinuz\n  INITRD /initrd.img\n  APPEND " + append + "\n");
    Files.deleteIfExists(img);
    run(dir, List.of("mkfs.vfat", "-n", "BQ2BOOT", "-C", img.toString(), Long.toString(mib * 1024)));
    run(dir, List.of("syslinux", "--install", img.toString()));
    run(dir, List.of("mcopy", "-i", img.toString(), kernel.toString(), "::vmlinuz"));
    run(dir, List.of("mcopy", "-i", img.toString(), initrd.toString(), "::initrd.img"));
    run(dir, List.of("mcopy", "-i", img.toString(), cfg.toString(), "::syslinux.cfg"));
    return img;
  }

  /** {@link #rawDiskImage(Guest, Path)} converted with `qemu-img convert -O qcow2`: `DIR/<guest>.qcow2`. */
  public static Path qcow2DiskImage(Guest guest, Path dir) throws IOException {
    Path raw = rawDiskImage(guest, dir);
    Path qcow2 = dir.resolve(name(guest) + ".qcow2");
    run(dir, List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()));
    return qcow2;
  }

  private static String name(Guest guest) {
    return guest.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private static List<String> applets() throws IOException {
    List<String> list = new ArrayList<>();
    for (String l : run(Path.of("."), List.of("/bin/busybox", "--list")).split("\n")) {
      if (!l.isBlank() && !l.equals("busybox")) list.add(l.trim());
    }
    return list;
  }

  /** A SHA-512 crypt(3) hash by the guest's own busybox, with a salt fixed so trees are reproducible. */
  static String hash(String password) throws IOException {
    String salt = Integer.toHexString(password.hashCode() & 0x7fffffff);
    return run(Path.of("."), List.of("/bin/busybox", "mkpasswd", "-m", "sha512", password, salt + "bq2salt")).trim();
  }

  private static void write(Path root, String rel, String text, String perms) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
  }

  /** Runs a host command to its end; its output, or an IOException with the output when it fails. */
  static String run(Path cwd, List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
    }
    return out;
  }

  /** Mounts, the host name, the init marker; then the console's tty name in $tty (tty0 without console=). */
  private static final String COMMON_INIT = """
      #!/bin/sh
      export PATH=/bin:/sbin:/usr/bin:/usr/sbin
      mount -t proc proc /proc
      mount -t sysfs sysfs /sys
      mount -t devtmpfs devtmpfs /dev
      hostname -F /etc/hostname
      echo '%s'
      # The last console listed is /dev/console: ttyS0 with console=ttyS0, tty0 without.
      tty=$(sed 's/.* //' /sys/class/tty/console/active)
      """.formatted(INIT_MARKER);

  private static final String COLOURED_INIT = COMMON_INIT + """
      cd /root
      export HOME=/root
      # PID 1 must not exit: a shell that ends (exit, Ctrl-D) is started again.
      while true; do
        setsid cttyhack sh -l
      done
      """;

  private static final String GETTY_INIT = COMMON_INIT + """
      chown %d:%d /home/%s
      cat > /etc/inittab <<EOF
      ::ctrlaltdel:/bin/reboot
      $tty::respawn:/bin/getty -L 115200 $tty vt100
      EOF
      exec /sbin/init
      """.formatted(USER_UID, USER_UID, USER);

  /**
   * The login profile of both shells: terminal chatter a real distribution's shell sends (a cursor
   * position query, an OSC window title, bracketed paste on and off), then a coloured prompt that
   * itself sets the title and bracketed paste again.
   */
  private static final String PROFILE = """
      export PATH=/bin:/sbin:/usr/bin:/usr/sbin
      [ -n "$HOME" ] || export HOME=/
      E=$(printf '\\033')
      B=$(printf '\\007')
      printf '\\033[6n\\033]0;%s\\007\\033[?2004h\\033[?2004l'
      PS1="\\[${E}]0;\\u@\\h${B}${E}[?2004h\\]\\[${E}[1;32m\\]\\u@\\h\\[${E}[0m\\]:\\[${E}[1;34m\\]\\w\\[${E}[0m\\]\\\\$ "
      export PS1
      unset E B
      """.formatted(HOSTNAME);
}
