package dev.bq2.namespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Why entering a namespace may be refused, checked the way `bq2 sysroot-namespace-check` does
 * (docs/formats.md#upstream-formats): the unprivileged user-namespace sysctls, AppArmor, NoNewPrivs and seccomp
 * from /proc/self/status, missing file systems, and a nodev /dev. Reads files under a proc root
 * so it can be pointed elsewhere.
 */
public final class NamespaceCheck {
  /** One restriction found: which check, what was seen, and what to do. */
  public record Problem(String check, String seen, String fix) {
    @Override
    public String toString() {
      return check + " (" + seen + "): " + fix;
    }
  }

  private NamespaceCheck() {}

  /** Problems under {@code proc} (normally /proc); user-namespace checks only when {@code needsUserns}. */
  public static List<Problem> run(Path proc, boolean needsUserns) {
    List<Problem> out = new ArrayList<>();
    if (needsUserns) {
      String clone = read(proc.resolve("sys/kernel/unprivileged_userns_clone"));
      if (clone != null && !clone.equals("1")) {
        out.add(new Problem("unprivileged user namespaces", "kernel.unprivileged_userns_clone=" + clone,
            "run `sudo sysctl -w kernel.unprivileged_userns_clone=1`, or run bq2 as root"));
      }
      String maxNs = read(proc.resolve("sys/user/max_user_namespaces"));
      if ("0".equals(maxNs)) {
        out.add(new Problem("unprivileged user namespaces", "user.max_user_namespaces=0",
            "run `sudo sysctl -w user.max_user_namespaces=15000`, or run bq2 as root"));
      }
      String aa = read(proc.resolve("sys/kernel/apparmor_restrict_unprivileged_userns"));
      if ("1".equals(aa)) {
        out.add(new Problem("AppArmor", "kernel.apparmor_restrict_unprivileged_userns=1",
            "run `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or add an AppArmor profile allowing userns for java"));
      }
    }
    String label = read(proc.resolve("self/attr/apparmor/current"));
    if (label == null) label = read(proc.resolve("self/attr/current"));
    if (label != null && !label.isEmpty() && !label.startsWith("unconfined")) {
      out.add(new Problem("AppArmor", "confined by profile " + label,
          "run bq2 unconfined, or allow mount/userns in that profile (in a container: --security-opt apparmor=unconfined)"));
    }
    String status = read(proc.resolve("self/status"));
    if (status != null) {
      for (String line : status.split("\n")) {
        if (line.startsWith("NoNewPrivs:") && !line.substring(11).strip().equals("0")) {
          out.add(new Problem("NoNewPrivs", line.strip(),
              "start bq2 from a shell without no_new_privs (e.g. not under `setpriv --no-new-privs` or a systemd unit with NoNewPrivileges=yes)"));
        }
        if (line.startsWith("Seccomp:") && !line.substring(8).strip().equals("0")) {
          out.add(new Problem("seccomp", line.strip(),
              "a seccomp filter may block unshare/mount; in a container use --security-opt seccomp=unconfined (or --privileged)"));
        }
      }
    }
    String fs = read(proc.resolve("filesystems"));
    if (fs != null) {
      for (String need : List.of("proc", "sysfs", "tmpfs")) {
        if (!fs.matches("(?s).*\\b" + need + "\\b.*")) {
          out.add(new Problem("file systems", need + " missing from /proc/filesystems", "use a kernel with " + need + " support"));
        }
      }
    }
    String mountinfo = read(proc.resolve("self/mountinfo"));
    if (mountinfo != null) {
      for (String line : mountinfo.split("\n")) {
        String[] f = line.split(" ");
        if (f.length > 5 && f[4].equals("/dev") && f[5].contains("nodev")) {
          out.add(new Problem("nodev /dev", "/dev is mounted " + f[5],
              "device nodes bound from /dev will not work; remount /dev without nodev or run in a container with a normal /dev"));
        }
      }
    }
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
