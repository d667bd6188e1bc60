package dev.bq2.fleet;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real one-node Slurm cluster in a temp folder, for tests (and, through {@link #main}, for
 * bench/fleet.sh): a generated munge key and `slurm.conf`, munged, slurmctld and slurmd as root in
 * the foreground as our children, every state, spool, log, pid file and the munge socket inside
 * the folder. Clients find it through `SLURM_CONF` ({@link #env()}); the munge socket is named in
 * the config (`AuthInfo=socket=`), so client commands need nothing else. Ports are free ones
 * picked at start, so several clusters (parallel test JVMs, a benchmark) can run at once.
 *
 * <p>`select/cons_tres` with `CR_Core`: a job takes one core by default, so on two cores two jobs
 * run at once and a third waits. No accounting database: `MinJobAge=3600` keeps ended jobs in the
 * controller, where `squeue --states=all` reports them.
 */
public final class SlurmCluster implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(90);
  private static SlurmCluster shared;

  private final Path dir;
  private final Path conf;
  private final List<Process> daemons = new ArrayList<>();
  private final Thread hook;
  /** The folder is ours (made by {@link #shared}): removed once the daemons are gone. */
  private volatile boolean removeDirOnStop;

  private SlurmCluster(Path dir) {
    this.dir = dir;
    this.conf = dir.resolve("slurm.conf");
    this.hook = new Thread(this::stop, "slurm-cluster-stop");
  }

  /** One cluster for the whole test JVM, started on first use and stopped when the JVM exits. */
  public static synchronized SlurmCluster shared() throws IOException, InterruptedException {
    if (shared == null) {
      shared = start(Files.createTempDirectory("bq2-slurm-"));
      shared.removeDirOnStop = true;
    }
    return shared;
  }

  /** Starts munged, slurmctld and slurmd with a config written into {@code dir}; returns once the node is idle. */
  public static SlurmCluster start(Path dir) throws IOException, InterruptedException {
    SlurmCluster c = new SlurmCluster(dir.toAbsolutePath().normalize());
    Runtime.getRuntime().addShutdownHook(c.hook);
    try {
      c.boot();
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      c.close();
      throw e;
    }
    return c;
  }

  public Path dir() {
    return dir;
  }

  public Path conf() {
    return conf;
  }

  /** What a client command (and a bq2 child that runs them) needs in its environment. */
  public Map<String, String> env() {
    return Map.of("SLURM_CONF", conf.toString());
  }

  /** The node's name (this machine's host name), as slurm.conf names it. */
  public static String hostName() throws IOException {
    return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
  }

  private void boot() throws IOException, InterruptedException {
    for (String d : List.of("state", "spool", "log", "run")) Files.createDirectories(dir.resolve(d));
    // munged refuses a socket folder others cannot search, and a key others can read.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir.resolve("run"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path key = dir.resolve("munge.key");
    byte[] bytes = new byte[1024];
    new java.security.SecureRandom().nextBytes(bytes);
    Files.write(key, bytes);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Path socket = dir.resolve("run/munge.socket");
    String host = hostName();
    int cpus = Runtime.getRuntime().availableProcessors();
    Files.writeString(conf, String.join("\n",
        "# written by the bq2 test fixture dev.bq2.fleet.SlurmCluster",
        "ClusterName=bq2test",
        "SlurmctldHost=" + host,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        "AuthInfo=socket=" + socket,
        "SlurmctldPort=" + freePort(),
        "SlurmdPort=" + freePort(),
        "StateSaveLocation=" + dir.resolve("state"),
        "SlurmdSpoolDir=" + dir.resolve("spool"),
        "SlurmctldPidFile=" + dir.resolve("run/slurmctld.pid"),
        "SlurmdPidFile=" + dir.resolve("run/slurmd.pid"),
        "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"),
        "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "SchedulerType=sched/backfill",
        "ReturnToService=2",
        "MinJobAge=3600",
        "KillWait=30",
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "MpiDefault=none",
        "NodeName=" + host + " CPUs=" + cpus + " RealMemory=" + memoryMb() + " State=UNKNOWN",
        "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
        ""));
    daemon("munged", List.of("munged", "--foreground", "--force", "--socket=" + socket, "--key-file=" + key,
        "--pid-file=" + dir.resolve("run/munged.pid"), "--log-file=" + dir.resolve("log/munged.log"),
        "--seed-file=" + dir.resolve("munged.seed")));
    awaitFile(socket, "munged's socket");
    daemon("slurmctld", List.of("slurmctld", "-D", "-c", "-f", conf.toString()));
    daemon("slurmd", List.of("slurmd", "-D", "-f", conf.toString()));
    awaitIdle();
  }

  private void daemon(String name, List<String> argv) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(dir.resolve("log/" + name + ".out").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("SLURM_CONF", conf.toString());
    daemons.add(pb.start());
  }

  /** An external daemon has no event to await: poll, tightly and bounded. */
  private void awaitFile(Path file, String what) throws InterruptedException, IOException {
    long end = System.nanoTime() + READY.toNanos();
    while (!Files.exists(file)) {
      checkAlive();
      if (System.nanoTime() > end) throw new IOException(what + " did not appear in " + READY.toSeconds() + " s; see " + dir.resolve("log"));
      Thread.sleep(50);
    }
  }

  private void awaitIdle() throws IOException, InterruptedException {
    long end = System.nanoTime() + READY.toNanos();
    String last = "";
    while (System.nanoTime() < end) {
      checkAlive();
      ProcessBuilder pb = new ProcessBuilder("sinfo", "--noheader", "--format=%T").redirectErrorStream(true);
      pb.environment().putAll(env());
      Process p = pb.start();
      last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor();
      if (last.equals("idle")) return;
      Thread.sleep(100);
    }
    throw new IOException("the Slurm node is not idle after " + READY.toSeconds() + " s (sinfo: " + last + "); see " + dir.resolve("log"));
  }

  private void checkAlive() throws IOException {
    for (Process p : daemons) {
      if (!p.isAlive()) {
        throw new IOException(p.info().command().orElse("a Slurm daemon") + " exited " + p.exitValue() + "; see " + dir.resolve("log"));
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static long memoryMb() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 * 9 / 10;
    }
    return 1024;
  }

  /** Stops slurmd, slurmctld and munged (SIGTERM to each pid, then SIGKILL after 30 s), newest first. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs stop() itself
    }
  }

  private synchronized void stop() {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      Process p = daemons.get(i);
      p.destroy();
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    daemons.clear();
    if (removeDirOnStop) {
      try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      } catch (IOException e) {
        // a leftover temp folder; nothing runs from it any more
      }
    }
  }

  /**
   * `SlurmCluster DIR`: starts a cluster in DIR, prints `SLURM_CONF=<DIR>/slurm.conf` once it is
   * idle, and stops it when its standard input ends (or on SIGTERM). For bench/fleet.sh.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: SlurmCluster DIR");
      System.exit(2);
    }
    try (SlurmCluster c = start(Files.createDirectories(Path.of(args[0])))) {
      System.out.println("SLURM_CONF=" + c.conf());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the caller closes our stdin
      }
    }
  }
}
