package dev.bq2.supervise;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Who holds the autopilot lock of a rootfs (`autopilot.lock.json`): pid plus /proc start time
 * and boot id, so a holder that died (or a reused pid) is recognised as stale; the host, since a
 * rootfs on shared storage (`bq2 fleet`) is built on whichever node the cluster chose.
 */
@JsonPropertyOrder({"pid", "host", "start_time", "boot_id", "acquired_at", "command"})
public record LockHolder(long pid, String host, Long startTime, String bootId, String acquiredAt, String command) {

  public LockHolder(long pid, Long startTime, String bootId, String acquiredAt, String command) {
    this(pid, null, startTime, bootId, acquiredAt, command);
  }

  static LockHolder self() {
    ProcessHandle me = ProcessHandle.current();
    Long start = ProcStat.read(me.pid()).map(ProcStat::startTime).orElse(null);
    String cmd = me.info().commandLine().orElse(null);
    // Head and tail: a JVM's class path fills the middle, the subcommand and its flags are at the end.
    if (cmd != null && cmd.length() > 300) cmd = cmd.substring(0, 80) + " … " + cmd.substring(cmd.length() - 220);
    return new LockHolder(me.pid(), hostName(), start, ProcStat.bootId(), java.time.Instant.now().toString(), cmd);
  }

  /** This machine's name (the kernel's, as `hostname` prints it), null when unreadable. */
  public static String hostName() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (java.io.IOException e) {
      return null;
    }
  }

  public boolean alive() {
    return ProcStat.isAlive(pid, startTime, bootId);
  }
}
