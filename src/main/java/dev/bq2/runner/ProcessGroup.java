package dev.bq2.runner;

import dev.bq2.supervise.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A command started as the leader of its own session and process group (through util-linux
 * `setsid`, since Java cannot call setpgid itself), so that stopping it reaches every process
 * it forked: SIGTERM to the group, then SIGKILL once the grace period is over.
 */
public final class ProcessGroup {
  private static final Path SETSID = findSetsid();
  private final Process process;
  private final Duration grace;
  private volatile boolean stopping;

  private ProcessGroup(Process process, Duration grace) {
    this.process = process;
    this.grace = grace;
  }

  /** Whether commands get their own process group (util-linux setsid is on PATH). */
  public static boolean isolated() {
    return SETSID != null;
  }

  /** The argv that starts `argv` in a new session; setsid execs in place, so pid == pgid. */
  public static List<String> wrap(List<String> argv) {
    if (SETSID == null) return argv;
    List<String> out = new ArrayList<>(argv.size() + 2);
    out.add(SETSID.toString());
    out.add("-w");
    out.addAll(argv);
    return out;
  }

  public static ProcessGroup of(Process p, Duration grace) {
    return new ProcessGroup(p, grace);
  }

  public long pgid() {
    return process.pid();
  }

  /** SIGTERM to the group now; SIGKILL after the grace period if anything is left. */
  void stopAsync() {
    if (stopping) return;
    stopping = true;
    Thread t = new Thread(this::stopAndWait, "bq2-stop-" + pgid());
    t.setDaemon(true);
    t.start();
  }

  /** SIGTERM, wait up to the grace period for the group to empty, then SIGKILL. */
  public void stopAndWait() {
    stopping = true;
    signal("TERM");
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline && alive()) {
      try {
        Thread.sleep(20); // polling the process table: there is no event for "group empty"
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (alive()) kill();
  }

  /** SIGKILL to the whole group at once. */
  public void kill() {
    signal("KILL");
  }

  private void signal(String sig) {
    boolean groupSignalled = false;
    if (SETSID != null) {
      try {
        Process k = new ProcessBuilder("kill", "-s", sig, "--", "-" + pgid())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        groupSignalled = k.waitFor() == 0;
      } catch (IOException e) {
        groupSignalled = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!groupSignalled) {
      // No group yet (setsid not exec'd) or no setsid: signal the tree we can see.
      List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
      tree.add(process.toHandle());
      for (ProcessHandle h : tree) {
        if ("KILL".equals(sig)) h.destroyForcibly(); else h.destroy();
      }
    }
  }

  /** Whether any live (non-zombie) process is still in the group. */
  public boolean alive() {
    if (process.isAlive()) return true;
    return !ProcStat.groupMembers(pgid()).isEmpty();
  }

  private static Path findSetsid() {
    String path = System.getenv("PATH");
    if (path == null) path = "/usr/bin:/bin";
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, "setsid");
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }
}
