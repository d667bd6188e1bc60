package dev.bq2.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.cli.Bq2Child;
import dev.bq2.demo.DemoWriter;
import dev.bq2.supervise.AutopilotLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 on a real one-node Slurm cluster ({@link SlurmCluster}): `bq2 fleet submit`, `status`
 * (`--resubmit`) and `cancel` as real child processes, the jobs running real `bq2 iterate`
 * autopilots and runners on real rootfs.
 */
class FleetSlurmTest {
  static final Duration JOB_WAIT = Duration.ofMinutes(10);
  static SlurmCluster cluster;
  static SlurmEngine engine;

  @TempDir Path dir;

  @BeforeAll
  static void cluster() throws Exception {
    cluster = SlurmCluster.shared();
    engine = new SlurmEngine(Duration.ofSeconds(60), cluster.env());
  }

  Path emptyFsRoot() throws IOException {
    return Files.createDirectories(dir.resolve("empty-fs-root"));
  }

  Bq2Child.Result bq2(String... args) throws Exception {
    return FleetCli.run(dir, cluster.env(), args);
  }

  static final Pattern SUBMITTED = Pattern.compile("fleet submit: job (\\d+) \\((\\S+)\\) for (\\S+);");

  static Map<String, String> jobs(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher x = SUBMITTED.matcher(out);
    while (x.find()) m.put(x.group(3), x.group(1));
    return m;
  }

  /** The controller is an external daemon with no event to await: its answer is polled, bounded. */
  static JobState awaitEnded(String id) throws Exception {
    long end = System.nanoTime() + JOB_WAIT.toNanos();
    while (System.nanoTime() < end) {
      JobState s = engine.states(List.of(id)).get(id);
      if (s != null && !s.live()) return s;
      Thread.sleep(200);
    }
    throw new AssertionError("job " + id + " still live after " + JOB_WAIT);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + JOB_WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  static List<String> lines(Path f) throws IOException {
    return Files.isRegularFile(f) ? Files.readAllLines(f) : List.of();
  }

  @Test
  @Timeout(1200)
  void threeDemoRootfsSubmittedAtOnceAllComplete() throws Exception {
    List<Path> roots = new ArrayList<>();
    for (String n : List.of("x86", "arm", "musl")) roots.add(DemoWriter.write(dir.resolve(n)).rootfs());
    List<String> args = new ArrayList<>(List.of("fleet", "submit", "--engine", "slurm", "--cpus", "1", "--assistant", "rules",
        "--fs-root", emptyFsRoot().toString()));
    roots.forEach(r -> args.add(r.toString()));
    Bq2Child.Result s = bq2(args.toArray(String[]::new));
    assertEquals(0, s.exit(), s.toString());
    Map<String, String> jobs = jobs(s.out());
    assertEquals(3, jobs.size(), s.toString());
    for (Path r : roots) {
      String id = jobs.get(r.toString());
      Path script = Files.list(r.resolve("var/lib/sysroot-build-logs")).filter(p -> p.getFileName().toString().matches("fleet-.*\\.sh"))
          .findFirst().orElseThrow();
      String text = Files.readString(script);
      assertTrue(text.contains("set -e\nexec ") && text.contains("'iterate' '--all-phases' '--rootfs' '" + r + "' '--assistant' 'rules'"), text);
      JobState end = awaitEnded(id);
      assertEquals("COMPLETED", end.state(), end + "\n" + Files.readString(r.resolve("var/lib/sysroot-build-logs/fleet-" + id + ".out")));
    }
    Bq2Child.Result st = bq2("fleet", "status");
    assertEquals(0, st.exit(), st.toString());
    for (Path r : roots) {
      String line = st.out().lines().filter(l -> l.endsWith("  " + r)).findFirst().orElseThrow(() -> new AssertionError(st.out()));
      assertTrue(line.startsWith("bq2-rootfs  job " + jobs.get(r.toString()) + "  COMPLETED  ") && line.contains("next_phase=complete"), line);
    }
    assertTrue(st.out().contains("total: 3 rootfs, 3 complete, 0 running, 0 pending, 0 ended unfinished"), st.out());
    Bq2Child.Result json = bq2("fleet", "status", "--json");
    assertEquals(3, json.out().split("\"next_phase\": \"complete\"", -1).length - 1, json.out());
    String fleetFile = Files.readString(dir.resolve("bq2-fleet.json"));
    assertTrue(fleetFile.contains("\"engine\": \"slurm\"") && fleetFile.contains("\"job_options\": {\n        \"cpus\": 1\n      }"), fleetFile);
  }

  /** s1 and s3 finish at once; s2 waits for the test's go file. Each appends to `<ctl>/<step>.runs` when it starts. */
  Path waitingRootfs(String name, Path ctl) throws IOException {
    Map<String, String> steps = new LinkedHashMap<>();
    steps.put("s1", "echo run >> \"$CTL/s1.runs\"\n");
    steps.put("s2", "echo run >> \"$CTL/s2.runs\"\nwhile [ ! -e \"$CTL/s2.go\" ]; do sleep 0.05; done\n");
    steps.put("s3", "echo run >> \"$CTL/s3.runs\"\n");
    Files.createDirectories(ctl);
    return FleetCli.plan(dir.resolve(name), "p", Map.of("CTL", ctl.toString()), steps);
  }

  /** Processes (other than us) whose command line names {@code path} or whose environment holds {@code env}. */
  static List<String> processesOf(Path path, String env) throws IOException {
    List<String> found = new ArrayList<>();
    long me = ProcessHandle.current().pid();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      for (Path p : s.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        if (Long.parseLong(p.getFileName().toString()) == me) continue;
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          String environ = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
          if (cmd.contains(path.toString()) || environ.contains(env)) found.add(p.getFileName() + ": " + cmd);
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }

  @Test
  @Timeout(1200)
  void cancelStopsTheBuildAndJournalsItThenResubmitCompletesWithoutRebuildingWhatWasDone() throws Exception {
    Path ctl = dir.resolve("ctl");
    Path rootfs = waitingRootfs("board", ctl);
    Bq2Child.Result s = bq2("fleet", "submit", "--engine", "slurm", "--assistant", "rules", "--fs-root", emptyFsRoot().toString(),
        rootfs.toString());
    assertEquals(0, s.exit(), s.toString());
    String job = jobs(s.out()).get(rootfs.toString());
    await("s2 building in job " + job, () -> Files.exists(ctl.resolve("s2.runs")));

    // A second submit of the busy rootfs is refused, naming the job that holds it.
    Bq2Child.Result again = bq2("fleet", "submit", "--engine", "slurm", rootfs.toString());
    assertEquals(2, again.exit(), again.toString());
    assertTrue(again.err().contains(rootfs + " already has job " + job + " (bq2-board, RUNNING"), again.err());

    Bq2Child.Result c = bq2("fleet", "cancel", rootfs.toString());
    assertEquals(0, c.exit(), c.toString());
    assertTrue(c.out().contains("fleet cancel: cancelled job " + job + " (bq2-board, was RUNNING)"), c.out());
    assertTrue(c.out().contains("fleet cancel: job " + job + " ended CANCELLED"), c.out());
    assertEquals(List.of(), processesOf(rootfs, "CTL=" + ctl), "no autopilot, runner or step of the job is left");
    String journal = FleetCli.allFiles(rootfs.resolve("var/lib/sysroot-build-sessions"), "journal.md");
    assertTrue(journal.contains("fleet cancel, job " + job), "the journal says who cancelled:\n" + journal);
    assertFalse(AutopilotLock.liveHolder(rootfs.resolve("var/lib/sysroot-build-logs")).isPresent(), "lock released");
    assertFalse(Files.exists(rootfs.resolve("var/lib/sysroot-build-logs/autopilot.lock.json")), "holder file removed on release");
    String out = Files.readString(rootfs.resolve("var/lib/sysroot-build-logs/fleet-" + job + ".out"));
    assertTrue(out.contains("runner stopped by") && out.contains("(fleet cancel, job " + job + ", pid "), out);

    Bq2Child.Result st = bq2("fleet", "status");
    assertTrue(st.out().contains("bq2-board  job " + job + "  CANCELLED") && st.out().contains("next_phase=p (step s2)"), st.out());
    assertTrue(st.out().contains("1 ended unfinished"), st.out());

    Files.writeString(ctl.resolve("s2.go"), "");
    Bq2Child.Result r = bq2("fleet", "status", "--resubmit");
    assertEquals(0, r.exit(), r.toString());
    Matcher m = Pattern.compile("resubmitted as job (\\d+)").matcher(r.out());
    assertTrue(m.find(), r.out());
    String second = m.group(1);
    assertNotEquals(job, second);
    assertEquals("COMPLETED", awaitEnded(second).state(),
        Files.readString(rootfs.resolve("var/lib/sysroot-build-logs/fleet-" + second + ".out")));

    Bq2Child.Result done = bq2("fleet", "status");
    assertTrue(done.out().contains("bq2-board  job " + second + "  COMPLETED") && done.out().contains("next_phase=complete"), done.out());
    assertEquals(List.of("run"), lines(ctl.resolve("s1.runs")), "s1 was done before the cancel: not built again");
    assertEquals(List.of("run", "run"), lines(ctl.resolve("s2.runs")), "the interrupted step is rebuilt");
    assertEquals(List.of("run"), lines(ctl.resolve("s3.runs")));
    assertTrue(Files.readString(dir.resolve("bq2-fleet.json")).contains("\"resubmitted_from\": \"" + job + "\""));

    Bq2Child.Result twice = bq2("fleet", "status", "--resubmit");
    assertFalse(twice.out().contains("resubmitted as"), "a completed plan is never resubmitted:\n" + twice.out());
  }

  /** `scontrol`, as an administrator (or a node failure, a preemption) would requeue a job. */
  static void scontrol(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("scontrol"));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().putAll(cluster.env());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
  }

  @Test
  @Timeout(1200)
  void aRequeuedJobResumesUnderTheSameIdWithoutRebuildingWhatWasDone() throws Exception {
    Path ctl = dir.resolve("ctl");
    Path rootfs = waitingRootfs("requeued", ctl);
    Bq2Child.Result s = bq2("fleet", "submit", "--engine", "slurm", "--requeue", "--assistant", "rules", "--fs-root",
        emptyFsRoot().toString(), rootfs.toString());
    assertEquals(0, s.exit(), s.toString());
    String job = jobs(s.out()).get(rootfs.toString());
    await("s2 building in job " + job, () -> Files.exists(ctl.resolve("s2.runs")));
    scontrol("requeue", job); // refused for a job submitted without --requeue
    // Slurm holds a requeued job back for two minutes (BeginTime); let it start now.
    await("job " + job + " back in the queue", () -> {
      try {
        JobState st = engine.states(List.of(job)).get(job);
        return st != null && st.state().equals("PENDING");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // Only now may s2 finish: before, it could have won the race against the requeue's SIGTERM.
    Files.writeString(ctl.resolve("s2.go"), "");
    scontrol("update", "JobId=" + job, "StartTime=now");
    assertEquals("COMPLETED", awaitEnded(job).state());
    String out = Files.readString(rootfs.resolve("var/lib/sysroot-build-logs/fleet-" + job + ".out"));
    assertTrue(out.contains("runner stopped: batch job " + job + " is ending (SIGTERM from Slurm") && out.contains("runner resumed")
        && out.contains("plan complete"), out);
    assertEquals(List.of("run"), lines(ctl.resolve("s1.runs")), "s1 was done before the requeue: not built again");
    assertEquals(List.of("run", "run"), lines(ctl.resolve("s2.runs")));
    assertEquals(List.of("run"), lines(ctl.resolve("s3.runs")));
    Bq2Child.Result st = bq2("fleet", "status");
    assertTrue(st.out().contains("bq2-requeued  job " + job + "  COMPLETED") && st.out().contains("next_phase=complete"), st.out());
  }

  @Test
  @Timeout(300)
  void submitRefusesALiveAutopilotAMissingPathAndAnUnknownOptionBeforeSubmittingAnything() throws Exception {
    Path ctl = dir.resolve("ctl");
    Path held = waitingRootfs("held", ctl);
    Path free = waitingRootfs("free", ctl);
    try (AutopilotLock lock = AutopilotLock.acquire(held.resolve("var/lib/sysroot-build-logs"))) {
      Bq2Child.Result r = bq2("fleet", "submit", "--engine", "slurm", free.toString(), held.toString());
      assertEquals(2, r.exit(), r.toString());
      assertTrue(r.err().contains("fleet submit: " + held + ": another autopilot holds ")
          && r.err().contains("pid " + ProcessHandle.current().pid() + " on " + SlurmCluster.hostName() + " since "), r.err());
    }
    Bq2Child.Result missing = bq2("fleet", "submit", "--engine", "slurm", dir.resolve("nope").toString());
    assertEquals(2, missing.exit(), missing.toString());
    assertTrue(missing.err().contains("does not exist") && missing.err().contains("storage every node"), missing.err());
    Bq2Child.Result unknown = bq2("fleet", "submit", "--engine", "slurm", "--no-such-option", free.toString());
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("--no-such-option is neither a submit option nor an iterate option"), unknown.err());
    Bq2Child.Result badValue = bq2("fleet", "submit", "--engine", "slurm", "--max-iterations", "many", free.toString());
    assertEquals(2, badValue.exit(), badValue.toString());
    assertTrue(badValue.err().contains("iterate option") && badValue.err().contains("many"), badValue.err());
    assertFalse(Files.exists(dir.resolve("bq2-fleet.json")), "nothing submitted, nothing recorded");

    // No Slurm commands on PATH: exit 3 naming the Debian packages.
    Map<String, String> noSlurm = new LinkedHashMap<>(cluster.env());
    noSlurm.put("PATH", Files.createDirectories(dir.resolve("empty-bin")).toString());
    Bq2Child.Result none = FleetCli.run(dir, noSlurm, "fleet", "submit", "--engine", "slurm", free.toString());
    assertEquals(3, none.exit(), none.toString());
    assertTrue(none.err().contains("cannot run `sbatch`") && none.err().contains("slurm-client") && none.err().contains("slurm-wlm"),
        none.err());
  }
}
