package dev.bq2.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of `/proc/<pid>/stat` we need. {@code startTime} (field 22, clock ticks since boot)
 * together with the pid names one process for the life of the machine: a pid reused by another
 * process has a different start time.
 */
public record ProcStat(long pid, char state, long ppid, long pgrp, long session, long startTime) {

  public static Optional<ProcStat> read(long pid) {
    String[] f = fields(pid);
    if (f == null) return Optional.empty();
    try {
      return Optional.of(new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]),
          Long.parseLong(f[3]), Long.parseLong(f[19])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The fields of `/proc/<pid>/stat` from field 3 (state) on: field n is {@code [n - 3]}; null
   * when the process is gone or the line is short.
   */
  static String[] fields(long pid) {
    String text;
    try {
      text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return null;
    }
    // comm (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
    int close = text.lastIndexOf(')');
    if (close < 0) return null;
    String[] f = text.substring(close + 1).trim().split("\\s+");
    return f.length < 20 ? null : f;
  }

  /** Running (not a zombie: an unreaped dead process, e.g. orphaned under a pid 1 that does not reap). */
  public boolean alive() {
    return state != 'Z' && state != 'X' && state != 'x';
  }

  /**
   * True when {@code pid} is a live process that started at {@code startTime} in this boot:
   * start times are ticks since boot, so a recorded {@code bootId} from another boot means gone.
   */
  public static boolean isAlive(long pid, Long startTime, String bootId) {
    String boot = bootId();
    if (bootId != null && boot != null && !bootId.equals(boot)) return false;
    if (startTime == null) return false;
    return read(pid).map(s -> s.alive() && s.startTime() == startTime).orElse(false);
  }

  /** Live processes whose process group is {@code pgid} (a scan of /proc; used only to explain a lost run). */
  public static java.util.List<Long> groupMembers(long pgid) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        long pid;
        try {
          pid = Long.parseLong(p.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        read(pid).filter(s -> s.pgrp() == pgid && s.alive()).ifPresent(s -> out.add(s.pid()));
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** This machine's boot id: start times only compare within one boot. */
  public static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    } catch (IOException e) {
      return null;
    }
  }
}
