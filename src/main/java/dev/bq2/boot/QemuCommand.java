package dev.bq2.boot;

import dev.bq2.Bq2Exception;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The QEMU command line of a boot: `qemu-system-x86_64` (or `qemu-system-aarch64 -machine
 * virt`), no display, no monitor, no default devices, no reboot (a panic or `reboot` ends the
 * run instead of looping), and the first serial port on QEMU's stdin/stdout so we read the raw
 * bytes as they come and type on it. Where the binary and the firmware are missing, exit 3
 * names the Debian package that installs them.
 */
final class QemuCommand {
  private QemuCommand() {}

  /** The kernel's serial console argument for {@code arch}. */
  static String consoleArg(String arch) {
    return "aarch64".equals(arch) ? "console=ttyAMA0" : "console=ttyS0,115200";
  }

  static String binaryName(String arch) {
    return "aarch64".equals(arch) ? "qemu-system-aarch64" : "qemu-system-x86_64";
  }

  static String debianPackage(String arch) {
    return "aarch64".equals(arch) ? "qemu-system-arm" : "qemu-system-x86";
  }

  /** The QEMU binary on PATH; exit 3 naming the package when there is none. */
  static Path binary(String arch) {
    String name = binaryName(arch);
    String path = System.getenv("PATH");
    if (path == null) path = "/usr/local/bin:/usr/bin:/bin";
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) return p;
    }
    throw Bq2Exception.needsPerson("boot-check: " + name + " is not installed (not on PATH); install it with: apt-get install "
        + debianPackage(arch));
  }

  /**
   * The firmware QEMU ships for this boot, checked to exist: SeaBIOS for x86_64 (QEMU loads it
   * itself), UEFI for an aarch64 disk image (passed as -bios). Null when none is needed or
   * {@code bios} is given.
   */
  static Path firmware(String arch, boolean diskImage, Path bios) {
    if (bios != null) return null;
    if ("aarch64".equals(arch)) {
      if (!diskImage) return null; // -kernel boots without firmware on -machine virt
      return firstExisting(List.of(Path.of("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"), Path.of("/usr/share/AAVMF/AAVMF_CODE.fd")),
          "qemu-efi-aarch64", "UEFI firmware for aarch64 (QEMU_EFI.fd)");
    }
    firstExisting(List.of(Path.of("/usr/share/qemu/bios-256k.bin"), Path.of("/usr/share/seabios/bios-256k.bin")),
        "seabios", "the SeaBIOS firmware (bios-256k.bin)");
    return null; // QEMU finds SeaBIOS itself
  }

  private static Path firstExisting(List<Path> candidates, String pkg, String what) {
    for (Path p : candidates) if (Files.isRegularFile(p)) return p;
    throw Bq2Exception.needsPerson("boot-check: " + what + " is missing (looked for " + candidates.get(0)
        + "); install it with: apt-get install " + pkg + ", or give --bios FILE");
  }

  /** `qcow2` or `raw`, from the file's first bytes (a qcow2 image starts with "QFI\xfb"), never its name. */
  static String imageFormat(Path image) {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(image)) {
      int n = in.readNBytes(head, 0, 4);
      if (n == 4 && Arrays.equals(head, new byte[] {'Q', 'F', 'I', (byte) 0xfb})) return "qcow2";
      return "raw";
    } catch (IOException e) {
      throw Bq2Exception.badInput("--image " + image + ": cannot read it (" + e.getMessage() + "); give a readable qcow2 or raw image");
    }
  }

  /** The kernel command line we pass: the user's, plus the serial console unless told not to. */
  static String append(BootRequest r) {
    String user = r.append() == null ? "" : r.append().strip();
    if (r.noConsoleArg() || user.contains(consoleArg(r.arch()).split(",")[0])) return user;
    return (user + " " + consoleArg(r.arch())).strip();
  }

  /**
   * The argv (without our process-group wrapper). {@code initrd} is the packed rootfs for
   * `--rootfs`, else the request's own.
   */
  static List<String> argv(Path binary, BootRequest r, String accel, Path initrd, String name) {
    List<String> a = new ArrayList<>(List.of(binary.toString(), "-name", name, "-nodefaults"));
    boolean arm = "aarch64".equals(r.arch());
    if (arm) a.addAll(List.of("-machine", "virt"));
    a.addAll(List.of("-accel", accel));
    // TCG: "max" emulates every feature QEMU can; KVM: the host's CPU.
    a.addAll(List.of("-cpu", "kvm".equals(accel) ? "host" : "max"));
    a.addAll(List.of("-m", r.memory(), "-smp", Integer.toString(r.smp())));
    a.addAll(List.of("-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio"));
    if (r.image() != null) {
      Path fw = r.bios() != null ? r.bios() : firmware(r.arch(), true, null);
      if (fw != null) a.addAll(List.of("-bios", fw.toString()));
      String drive = "file=" + r.image().toAbsolutePath() + ",format=" + imageFormat(r.image());
      a.addAll(List.of("-drive", arm ? drive + ",if=virtio" : drive));
    } else {
      if (r.bios() != null) a.addAll(List.of("-bios", r.bios().toString()));
      a.addAll(List.of("-kernel", r.kernel().toAbsolutePath().toString()));
      if (initrd != null) a.addAll(List.of("-initrd", initrd.toAbsolutePath().toString()));
      String append = append(r);
      if (!append.isEmpty()) a.addAll(List.of("-append", append));
    }
    return a;
  }

  /** One shell word per argument, so the line can be pasted into a shell. */
  static String shellLine(List<String> argv) {
    StringBuilder b = new StringBuilder();
    for (String s : argv) {
      if (b.length() > 0) b.append(' ');
      b.append(s.matches("[A-Za-z0-9_./,:=+@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'");
    }
    return b.toString();
  }
}
