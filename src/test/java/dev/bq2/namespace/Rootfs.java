package dev.bq2.namespace;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A real minimal rootfs for tests: Debian's static busybox with its applets, and the bq2 marker. */
final class Rootfs {
  static final Path BUSYBOX = Path.of("/bin/busybox");

  private Rootfs() {}

  static Path create(Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(BUSYBOX)) {
      fail("/bin/busybox is missing: run .ci/install-assistants.sh (apt-get install -y busybox-static)");
    }
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(BUSYBOX, bin.resolve("busybox"));
    Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
    String applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (list.waitFor() != 0) fail("busybox --list failed");
    for (String a : applets.split("\n")) {
      if (!a.isBlank() && !a.equals("busybox")) Files.createSymbolicLink(bin.resolve(a.strip()), Path.of("busybox"));
    }
    Files.writeString(dir.resolve(".bq2-rootfs"), "bq2-rootfs\n");
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/rootfs-id"), "minimal busybox rootfs\n");
    return dir;
  }

  static void script(Path file, String body) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
