package dev.bq2.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.ChildJvm;
import dev.bq2.boot.BootImages.Guest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guests really boot under plain `qemu-system-x86_64 -accel tcg` and behave as documented. */
class BootImagesTest {
  @TempDir Path dir;

  /** The coloured shell, packed by {@link Initramfs}, booted with -kernel/-initrd. */
  @Test
  void colouredShellInitramfsBootsToARootShellThatQueriesTheCursor() throws Exception {
    Path initrd = BootImages.initramfs(Guest.COLOURED_SHELL, dir);
    try (TcgGuest g = TcgGuest.start(dir.resolve("serial.log"), "-kernel", BootImages.kernel().toString(),
        "-initrd", initrd.toString(), "-append", BootImages.SERIAL_APPEND)) {
      g.await(BootImages.INIT_MARKER);
      g.await("\033[6n");
      g.await("\033[1;32mroot@" + BootImages.HOSTNAME + "\033[0m");
      String promptEnd = "# ";
      g.await(promptEnd);
      String raw = g.serial();
      assertTrue(raw.contains("\033]0;"), "an OSC title was sent");
      assertTrue(raw.contains("\033[?2004h") && raw.contains("\033[?2004l"), "bracketed paste on and off");
      g.send("echo \"uid=$(id -u) sum=$((6*7))\"");
      g.await("uid=0 sum=42");
      g.send("uname -r; echo end-$((1+1))");
      String uname = g.await("end-2").trim();
      assertTrue(BootImages.kernel().getFileName().toString().endsWith(uname.lines().reduce((a, b) -> b).orElse("?")),
          "uname -r names the booted kernel: " + TcgGuest.printable(uname));
      g.send("poweroff -f");
      g.awaitExit();
    }
  }

  @Test
  void gettyLoginAsUserThenSuWithAWrongAndTheRightRootPassword() throws Exception {
    Path initrd = BootImages.initramfs(Guest.GETTY_LOGIN, dir);
    try (TcgGuest g = TcgGuest.start(dir.resolve("serial.log"), "-kernel", BootImages.kernel().toString(),
        "-initrd", initrd.toString(), "-append", BootImages.SERIAL_APPEND)) {
      g.await(BootImages.HOSTNAME + " login: ");
      g.send(BootImages.USER);
      g.await("Password: ");
      g.send(BootImages.USER_PASSWORD);
      g.await("$ ");
      g.send("echo \"uid=$(id -u)-end\"");
      g.await("uid=" + BootImages.USER_UID + "-end");
      g.send("su -");
      g.await("Password: ");
      g.send("not-" + BootImages.ROOT_PASSWORD);
      g.await("incorrect password");
      g.send("echo \"uid=$(id -u)-end\"");
      g.await("uid=" + BootImages.USER_UID + "-end");
      g.send("su -");
      g.await("Password: ");
      g.send(BootImages.ROOT_PASSWORD);
      g.await("root@" + BootImages.HOSTNAME);
      g.send("echo \"uid=$(id -u)-end\"");
      g.await("uid=0-end");
      g.send("poweroff -f");
      g.awaitExit();
    }
  }

  /** The raw FAT + syslinux image boots from SeaBIOS to the same coloured shell; the qcow2 holds the same bytes. */
  @Test
  void rawDiskImageBootsWithSeaBiosAndTheQcow2IsTheSameDisk() throws Exception {
    Path img = BootImages.rawDiskImage(Guest.COLOURED_SHELL, dir.resolve("raw"));
    try (TcgGuest g = TcgGuest.start(dir.resolve("serial.log"), "-drive", "file=" + img + ",format=raw")) {
      g.await(BootImages.INIT_MARKER);
      g.await("\033[1;32mroot@" + BootImages.HOSTNAME);
      g.send("echo \"uid=$(id -u) sum=$((6*7))\"; cat /proc/cmdline");
      g.await("uid=0 sum=42");
      g.await(BootImages.SERIAL_APPEND);
      g.send("poweroff -f");
      g.awaitExit();
    }
    Path qcow2 = BootImages.qcow2DiskImage(Guest.COLOURED_SHELL, dir.resolve("qcow2"));
    String info = BootImages.run(dir, List.of("qemu-img", "info", "--output=json", qcow2.toString()));
    assertTrue(info.contains("\"format\": \"qcow2\""), info);
    Path raw2 = dir.resolve("qcow2").resolve("coloured-shell.img");
    assertEquals("Images are identical.", BootImages.run(dir, List.of("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
        raw2.toString(), qcow2.toString())).trim());
  }

  /** Both trees without a working init panic as their comments say (panic=-1 and -no-reboot: QEMU then exits). */
  @Test
  void withoutAWorkingInitTheKernelPanics() throws Exception {
    for (Guest guest : List.of(Guest.NO_INIT, Guest.BROKEN_INIT)) {
      Path initrd = BootImages.initramfs(guest, dir.resolve(guest.name()));
      try (TcgGuest g = TcgGuest.start(dir.resolve(guest.name() + ".log"), "-kernel", BootImages.kernel().toString(),
          "-initrd", initrd.toString(), "-append", BootImages.SERIAL_APPEND + " panic=-1")) {
        if (guest == Guest.BROKEN_INIT) g.await("Failed to execute /init (error -2)");
        g.await(guest == Guest.NO_INIT ? "Kernel panic - not syncing: VFS: Unable to mount root fs"
            : "Kernel panic - not syncing: No working init found.");
        g.awaitExit();
        assertFalse(g.serial().contains(BootImages.INIT_MARKER));
      }
    }
  }

  /** Two JVMs asking for the kernel at once into an empty cache: one downloads, both get the same file. */
  @Test
  void concurrentJvmsDownloadTheKernelOnce() throws Exception {
    Path cache = dir.resolve("cache");
    List<Process> jvms = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder pb = new ProcessBuilder(ChildJvm.java(), "-cp", System.getProperty("java.class.path"),
          BootImages.class.getName(), cache.toString()).redirectError(dir.resolve("jvm" + i + ".err").toFile());
      pb.environment().remove("BQ2_TEST_KERNEL");
      jvms.add(pb.start());
    }
    List<String> answers = new ArrayList<>();
    for (Process p : jvms) {
      answers.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
      assertEquals(0, p.waitFor(), "child JVM failed; see " + dir);
    }
    assertEquals(answers.get(0), answers.get(1));
    Path kernel = Path.of(answers.get(0));
    assertTrue(kernel.startsWith(cache) && kernel.getFileName().toString().startsWith("vmlinuz-"), kernel.toString());
    assertTrue(Files.size(kernel) > 1_000_000, "a real kernel image");
    assertEquals(1, Files.readAllLines(cache.resolve("downloads.log")).size(), "downloaded once");
    try (var s = Files.list(cache)) {
      assertTrue(s.noneMatch(p -> p.toString().endsWith(".deb")), "the .deb is not kept");
    }
  }

  @Test
  void noInitTreeHasNoInitButTheOthersHave() throws Exception {
    assertFalse(Initramfs.initOf(BootImages.rootfs(Guest.NO_INIT, dir.resolve("none"))).isPresent());
    assertEquals("/init", Initramfs.initOf(BootImages.rootfs(Guest.COLOURED_SHELL, dir.resolve("c"))).orElseThrow());
    assertEquals("/init", Initramfs.initOf(BootImages.rootfs(Guest.GETTY_LOGIN, dir.resolve("g"))).orElseThrow());
    assertEquals("/init", Initramfs.initOf(BootImages.rootfs(Guest.BROKEN_INIT, dir.resolve("b"))).orElseThrow(),
        "executable, so initOf cannot tell it will not run");
    assertTrue(Files.isRegularFile(BootImages.kernel()));
  }
}
