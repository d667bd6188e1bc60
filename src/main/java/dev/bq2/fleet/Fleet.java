package dev.bq2.fleet;

import dev.bq2.Bq2Exception;
import dev.bq2.annotate.Provenance;
import dev.bq2.json.LockFile;
import dev.bq2.rootfs.OwnCommand;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.RunRecord;
import dev.bq2.supervise.StopRecord;
import dev.bq2.supervise.SupervisedRun;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `bq2 fleet submit|status|cancel`: one batch job per rootfs, each running `bq2 iterate
 * --all-phases --rootfs ROOTFS`, recorded in the fleet file. Everything a job does lives in its
 * rootfs (state, overrides, journals, logs), so a resubmitted job's autopilot resumes from the
 * files: the runner skips completed steps, and a run stopped by `fleet cancel` is resumed, not
 * counted as a failure.
 */
public final class Fleet {
  /** How long `fleet cancel` waits for a cancelled job to leave the node (Slurm: KillWait is 30 s by default). */
  public static final Duration CANCEL_WAIT = Duration.ofSeconds(120);
  private static final Duration POLL = Duration.ofMillis(250);

  private final FleetFile file;
  private final Engine engine;
  private final List<String> bq2;
  private final Path cwd;
  private final PrintStream out;

  /**
   * @param bq2 how a job starts bq2 (`/abs/bin/bq2`, or the JVM command line our runner uses)
   * @param cwd where jobs start (sbatch `--chdir`), also for relative paths given to iterate
   */
  public Fleet(FleetFile file, Engine engine, List<String> bq2, Path cwd, PrintStream out) {
    this.file = file;
    this.engine = engine;
    this.bq2 = List.copyOf(bq2);
    this.cwd = cwd.toAbsolutePath().normalize();
    this.out = out;
  }

  /**
   * How a batch job starts this bq2: `bin/bq2` by its absolute path when we were started
   * through it (it sets `bq2.launcher`), else the same JVM command line our own runner is
   * started with (tests, which run from class directories).
   */
  public static List<String> ownLauncher() {
    String launcher = System.getProperty("bq2.launcher");
    if (launcher != null && Files.isExecutable(Path.of(launcher))) return List.of(Path.of(launcher).toAbsolutePath().normalize().toString());
    List<String> argv = new ArrayList<>(OwnCommand.argv("iterate"));
    argv.remove(argv.size() - 1);
    // A class-data archive made at exit by several jobs at once is not worth the race.
    argv.removeIf(a -> a.startsWith("-XX:ArchiveClassesAtExit="));
    return argv;
  }

  // ---------------------------------------------------------------- submit

  /** Submits one job per rootfs; all are checked before any is submitted. Returns the jobs. */
  public List<FleetBuild> submit(List<Path> rootfsList, List<String> options, JobOptions jobOptions) throws InterruptedException {
    List<Path> all = new ArrayList<>();
    for (Path p : rootfsList) {
      Path abs = cwd.resolve(p).toAbsolutePath().normalize();
      if (all.contains(abs)) throw Bq2Exception.badInput("fleet submit: " + abs + " is given twice; give each rootfs once");
      all.add(abs);
    }
    try (LockFile lock = file.lock()) {
      FleetRecord fleet = file.read(engine.name());
      checkEngine(fleet);
      Map<String, JobState> states = engine.states(fleet.current().stream().map(FleetBuild::jobId).toList());
      for (Path rootfs : all) checkSubmittable(rootfs, fleet, states);
      List<FleetBuild> submitted = new ArrayList<>();
      for (Path rootfs : all) {
        FleetBuild b = submitOne(rootfs, options, jobOptions, null);
        fleet = fleet.with(b);
        file.write(fleet); // after each job: a later sbatch that fails must not lose the ones submitted
        submitted.add(b);
        out.println("fleet submit: job " + b.jobId() + " (" + b.name() + ") for " + rootfs + "; output " + b.log());
      }
      return submitted;
    }
  }

  private void checkEngine(FleetRecord fleet) {
    if (!fleet.engine().equals(engine.name())) {
      throw Bq2Exception.badInput(file.path() + " records a fleet of engine " + fleet.engine() + ", not " + engine.name()
          + "; use --engine " + fleet.engine() + " or another --fleet FILE");
    }
  }

  /** Exists, is writable, holds a plan, has no live job in this fleet and no live autopilot. */
  private void checkSubmittable(Path rootfs, FleetRecord fleet, Map<String, JobState> states) {
    String where = "; the rootfs must be on storage every node of the cluster sees at the same path (NFS, a cluster file system)";
    if (!Files.isDirectory(rootfs)) throw Bq2Exception.badInput("fleet submit: " + rootfs + " does not exist or is not a folder" + where);
    RootfsLayout layout = RootfsLayout.of(rootfs);
    if (!Files.isRegularFile(layout.plan())) {
      throw Bq2Exception.badInput("fleet submit: " + rootfs + " holds no plan (" + layout.plan() + "); give the rootfs folder itself");
    }
    Path logDir = layout.logDir();
    Path writable = Files.isDirectory(logDir) ? logDir : rootfs;
    if (!Files.isWritable(writable)) {
      throw Bq2Exception.badInput("fleet submit: " + writable + " is not writable: the job writes its state, logs and journal there" + where);
    }
    Optional<FleetBuild> current = fleet.current(rootfs);
    if (current.isPresent()) {
      JobState s = states.get(current.get().jobId());
      if (s != null && s.live()) {
        throw Bq2Exception.badInput("fleet submit: " + rootfs + " already has job " + current.get().jobId() + " (" + current.get().name()
            + ", " + s.state() + ", submitted " + current.get().submitted() + "); `bq2 fleet cancel " + rootfs + "` first, or wait for it");
      }
    }
    // The autopilot lock decides, as for a second `bq2 iterate`: a probe taken and released at
    // once (as `iterate --detach` does); refused, it names the holder (pid, host, since).
    try (AutopilotLock probe = AutopilotLock.acquire(logDir)) {
      // free
    } catch (Bq2Exception e) {
      throw new Bq2Exception(e.exitCode(), "fleet submit: " + rootfs + ": " + e.getMessage());
    }
  }

  private FleetBuild submitOne(Path rootfs, List<String> options, JobOptions jobOptions, String resubmittedFrom)
      throws InterruptedException {
    RootfsLayout layout = RootfsLayout.of(rootfs);
    Path logDir = layout.logDir();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Path script = BatchScript.write(logDir, bq2, rootfs, options, now);
    String name = "bq2-" + rootfs.getFileName();
    JobOptions jo = jobOptions == null ? JobOptions.NONE : jobOptions;
    String id = engine.submit(new JobSpec(name, script, logDir.resolve("fleet-%j.out").toString(), cwd, jo));
    return new FleetBuild(rootfs.toString(), name, id, now.toString(), options, jo.equals(JobOptions.NONE) ? null : jo,
        logDir.resolve("fleet-" + id + ".out").toString(), resubmittedFrom);
  }

  // ---------------------------------------------------------------- status

  /** One row per rootfs; with {@code resubmit}, a job that ended unfinished is resubmitted (once). */
  public List<FleetRow> status(boolean resubmit) throws InterruptedException {
    if (!resubmit) return rows(file.readExisting());
    try (LockFile lock = file.lock()) {
      FleetRecord fleet = file.readExisting();
      checkEngine(fleet);
      List<FleetRow> rows = rows(fleet);
      List<FleetRow> result = new ArrayList<>();
      for (FleetRow r : rows) {
        FleetBuild b = fleet.current(Path.of(r.rootfs())).orElseThrow();
        String why = notResubmitted(r, b);
        if (why != null) {
          result.add(r);
          continue;
        }
        FleetBuild again = submitOne(Path.of(b.rootfs()), b.options(), b.jobOptions(), b.jobId());
        fleet = fleet.with(again);
        file.write(fleet);
        out.println("fleet status: job " + b.jobId() + " (" + b.name() + ") ended " + r.state() + " at next_phase=" + r.nextPhase()
            + "; resubmitted as job " + again.jobId());
        result.add(new FleetRow(r.rootfs(), r.name(), r.jobId(), r.state(), r.exitCode(), r.elapsed(), r.nextPhase(), r.nextStep(),
            r.lastFailure(), r.deltasInForce(), r.statusError(), r.resubmittedFrom(), again.jobId(), r.log()));
      }
      return result;
    }
  }

  /** Why this row's job is not resubmitted, or null when it is. */
  private String notResubmitted(FleetRow r, FleetBuild b) {
    if (r.complete()) return "complete";
    if (r.nextPhase() == null) return "status unreadable";
    JobState s = new JobState(r.jobId(), r.state(), null, null, null, null);
    if (!s.interrupted()) return r.state();
    if (b.resubmittedFrom() != null) {
      out.println("fleet status: job " + b.jobId() + " (" + b.name() + ") was itself a resubmission of job " + b.resubmittedFrom()
          + " and ended " + r.state() + " too; not resubmitted again: read " + b.log() + ", then `bq2 fleet submit` it");
      return "resubmitted once already";
    }
    if (AutopilotLock.liveHolder(RootfsLayout.of(Path.of(b.rootfs())).logDir()).isPresent()) return "an autopilot holds it";
    return null;
  }

  private List<FleetRow> rows(FleetRecord fleet) throws InterruptedException {
    List<FleetBuild> builds = fleet.current();
    Map<String, JobState> states = engine.states(builds.stream().map(FleetBuild::jobId).toList());
    List<FleetRow> rows = new ArrayList<>();
    for (FleetBuild b : builds) {
      JobState s = states.get(b.jobId());
      RootfsLayout layout = RootfsLayout.of(Path.of(b.rootfs()));
      String next = null;
      String step = null;
      String failure = null;
      String error = null;
      int deltas = 0;
      try {
        PhaseStatus st = Status.compute(layout, true);
        next = st.nextPhase();
        step = st.nextStep();
        failure = st.lastFailure();
        deltas = Provenance.read(layout.overridesHistory()).inForce().size();
      } catch (Bq2Exception | java.io.UncheckedIOException e) {
        error = e.getMessage();
      }
      rows.add(new FleetRow(b.rootfs(), b.name(), b.jobId(), s == null ? "UNKNOWN" : s.state(), s == null ? null : s.exitCode(),
          s == null ? null : s.elapsed(), next, step, failure, deltas, error, b.resubmittedFrom(), null, b.log()));
    }
    return rows;
  }

  /** `bq2-a  job 12  RUNNING  0:41  next_phase=p1 (step s2)  last_failure=p1/s2  deltas=1  /abs/a`. */
  public static String line(FleetRow r) {
    StringBuilder b = new StringBuilder();
    b.append(r.name()).append("  job ").append(r.jobId()).append("  ").append(r.state());
    if (r.exitCode() != null && !r.exitCode().equals("0:0")) b.append(" (exit ").append(r.exitCode()).append(')');
    b.append("  ").append(r.elapsed() == null ? "-" : r.elapsed());
    if (r.nextPhase() == null) {
      b.append("  status: ").append(r.statusError());
    } else {
      b.append("  next_phase=").append(r.nextPhase());
      if (r.nextStep() != null && !r.complete()) b.append(" (step ").append(r.nextStep()).append(')');
      b.append("  last_failure=").append(r.lastFailure() == null ? "none" : r.lastFailure());
      b.append("  deltas=").append(r.deltasInForce());
    }
    if (r.resubmittedAs() != null) b.append("  resubmitted as job ").append(r.resubmittedAs());
    return b.append("  ").append(r.rootfs()).toString();
  }

  /** `total: 3 rootfs, 2 complete, 1 running, 0 pending, 0 ended unfinished, 1 delta(s) in force`. */
  public static String total(List<FleetRow> rows) {
    long complete = rows.stream().filter(FleetRow::complete).count();
    long running = rows.stream().filter(r -> r.state().equals("RUNNING") || r.state().equals("COMPLETING")).count();
    long pending = rows.stream().filter(r -> r.state().equals("PENDING") || r.state().startsWith("REQUEUE")).count();
    long unfinished = rows.stream().filter(r -> !r.complete() && !new JobState(r.jobId(), r.state(), null, null, null, null).live()
        && r.resubmittedAs() == null).count();
    long resubmitted = rows.stream().filter(r -> r.resubmittedAs() != null).count();
    int deltas = rows.stream().mapToInt(FleetRow::deltasInForce).sum();
    return "total: " + rows.size() + " rootfs, " + complete + " complete, " + running + " running, " + pending + " pending, "
        + unfinished + " ended unfinished" + (resubmitted == 0 ? "" : ", " + resubmitted + " resubmitted") + ", " + deltas
        + " delta(s) in force";
  }

  // ---------------------------------------------------------------- cancel

  /**
   * Cancels the jobs of the given rootfs (all when empty). Like `bq2 stop`, the stop record is
   * written before any signal, so the autopilot in the job (which gets SIGTERM from the engine,
   * as every process of the job does) journals who cancelled it, and the next autopilot resumes
   * the interrupted step instead of counting a failure. Waits (bounded) until each job has left
   * its node unless {@code wait} is false.
   */
  public List<FleetRow> cancel(List<Path> rootfsArgs, boolean wait) throws InterruptedException {
    FleetRecord fleet = file.readExisting();
    checkEngine(fleet);
    List<FleetBuild> targets = new ArrayList<>();
    if (rootfsArgs.isEmpty()) {
      targets.addAll(fleet.current());
    } else {
      for (Path p : rootfsArgs) {
        Path abs = cwd.resolve(p).toAbsolutePath().normalize();
        targets.add(fleet.current(abs).orElseThrow(() -> Bq2Exception.badInput("fleet cancel: " + abs + " is not in the fleet "
            + file.path() + " (" + fleet.current().size() + " rootfs: `bq2 fleet status` lists them)")));
      }
    }
    Map<String, JobState> states = engine.states(targets.stream().map(FleetBuild::jobId).toList());
    List<String> cancelled = new ArrayList<>();
    for (FleetBuild b : targets) {
      JobState s = states.get(b.jobId());
      if (s == null || !s.live()) {
        out.println("fleet cancel: job " + b.jobId() + " (" + b.name() + ") is not running (" + (s == null ? "UNKNOWN" : s.state()) + ")");
        continue;
      }
      RootfsLayout layout = RootfsLayout.of(Path.of(b.rootfs()));
      RunRecord runner = BackgroundRunner.forRootfs(layout).attach().map(SupervisedRun::record).orElse(null);
      StopRecord.now("fleet cancel, job " + b.jobId(), runner).write(layout.logDir());
      engine.cancel(b.jobId());
      cancelled.add(b.jobId());
      out.println("fleet cancel: cancelled job " + b.jobId() + " (" + b.name() + ", was " + s.state() + ") for " + b.rootfs());
    }
    if (wait && !cancelled.isEmpty()) awaitEnded(cancelled);
    return rows(fleet).stream().filter(r -> targets.stream().anyMatch(t -> t.jobId().equals(r.jobId()))).toList();
  }

  /**
   * Polls the engine until the jobs are no longer live: the controller is an external daemon
   * with no event to wait on; bounded by {@link #CANCEL_WAIT}.
   */
  private void awaitEnded(List<String> jobs) throws InterruptedException {
    long end = System.nanoTime() + CANCEL_WAIT.toNanos();
    Map<String, JobState> s = Map.of();
    while (System.nanoTime() < end) {
      s = engine.states(jobs);
      Map<String, JobState> live = new LinkedHashMap<>(s);
      live.values().removeIf(x -> !x.live());
      if (live.isEmpty()) {
        for (String id : jobs) out.println("fleet cancel: job " + id + " ended " + (s.containsKey(id) ? s.get(id).state() : "(forgotten by the engine)"));
        return;
      }
      Thread.sleep(POLL.toMillis());
    }
    for (String id : jobs) {
      JobState x = s.get(id);
      if (x != null && x.live()) out.println("fleet cancel: job " + id + " is still " + x.state() + " after " + CANCEL_WAIT.toSeconds() + " s");
    }
  }
}
