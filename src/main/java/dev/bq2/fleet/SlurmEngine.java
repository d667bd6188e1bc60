package dev.bq2.fleet;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Slurm through its own command-line tools and their machine formats only: `sbatch --parsable`
 * (prints `id` or `id;cluster`), `squeue --noheader --format` and `sacct --parsable2 --noheader
 * --format` (fields split on `|`), `scancel`. The controller keeps an ended job for `MinJobAge`
 * (5 minutes by default), where `squeue --states=all` still shows it; after that only `sacct`
 * knows it, when the cluster keeps accounting.
 */
public final class SlurmEngine implements Engine {
  public static final String NAME = "slurm";
  static final String INSTALL = "install the Slurm client tools (Debian: `apt-get install slurm-client`; "
      + "`slurm-wlm` for a whole cluster, with `munge`) and check SLURM_CONF";

  private final EngineCommand cmd;

  public SlurmEngine() {
    this(Duration.ofSeconds(60), Map.of());
  }

  SlurmEngine(Duration timeout, Map<String, String> env) {
    this.cmd = new EngineCommand(timeout, INSTALL, env);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String submit(JobSpec job) throws InterruptedException {
    List<String> argv = sbatchArgv(job);
    EngineCommand.Result r = cmd.run(argv, job.workDir());
    if (r.exit() != 0) {
      throw Bq2Exception.needsPerson("sbatch refused job " + job.name() + " (exit " + r.exit() + "): " + r.lastErrLine()
          + "; check the partition, --cpus/--mem/--time against the cluster (`sinfo`)");
    }
    String id = r.out().strip();
    int semi = id.indexOf(';');
    if (semi >= 0) id = id.substring(0, semi);
    if (!id.matches("[0-9]+(_[0-9]+)?")) {
      throw Bq2Exception.needsPerson("sbatch --parsable printed `" + r.out().strip() + "` for job " + job.name()
          + ", not a job id; check `sbatch --version`");
    }
    return id;
  }

  static List<String> sbatchArgv(JobSpec job) {
    List<String> argv = new ArrayList<>(List.of("sbatch", "--parsable", "--job-name=" + job.name(),
        "--output=" + job.output(), "--open-mode=append", "--chdir=" + job.workDir()));
    JobOptions o = job.options();
    if (o.partition() != null) argv.add("--partition=" + o.partition());
    if (o.cpus() != null) argv.add("--cpus-per-task=" + o.cpus());
    if (o.mem() != null) argv.add("--mem=" + o.mem());
    if (o.time() != null) argv.add("--time=" + o.time());
    argv.add(o.requeued() ? "--requeue" : "--no-requeue");
    argv.add(job.script().toString());
    return argv;
  }

  @Override
  public Map<String, JobState> states(Collection<String> jobIds) throws InterruptedException {
    Set<String> wanted = Set.copyOf(jobIds);
    Map<String, JobState> found = new LinkedHashMap<>();
    if (wanted.isEmpty()) return found;
    // All jobs in the controller's memory (pending, running and recently ended), filtered here:
    // `squeue --jobs` fails for the whole list when one id is already purged.
    EngineCommand.Result q = cmd.run(List.of("squeue", "--noheader", "--states=all", "--format=%i|%T|%M|%r|%j"), null);
    if (q.exit() != 0) {
      throw Bq2Exception.needsPerson("squeue failed (exit " + q.exit() + "): " + q.lastErrLine() + "; is the controller up (`sinfo`)?");
    }
    for (String line : q.out().split("\n")) {
      String[] f = line.strip().split("\\|", 5);
      if (f.length < 5 || !wanted.contains(f[0])) continue;
      found.put(f[0], new JobState(f[0], JobState.base(f[1]), null, blankToNull(f[2]), reason(f[3]), "squeue"));
    }
    List<String> missing = jobIds.stream().filter(id -> !found.containsKey(id)).distinct().toList();
    if (missing.isEmpty()) return found;
    EngineCommand.Result a = cmd.run(List.of("sacct", "--parsable2", "--noheader", "--jobs=" + String.join(",", missing),
        "--format=JobID,JobName,State,ExitCode,Elapsed"), null);
    if (a.exit() != 0) return found; // no accounting on this cluster: those jobs are simply not known any more
    for (String line : a.out().split("\n")) {
      String[] f = line.strip().split("\\|", -1);
      if (f.length < 5 || !missing.contains(f[0])) continue; // `123.batch` steps are not the job
      found.put(f[0], new JobState(f[0], JobState.base(f[2]), blankToNull(f[3]), blankToNull(f[4]), null, "sacct"));
    }
    return found;
  }

  @Override
  public void cancel(String jobId) throws InterruptedException {
    EngineCommand.Result r = cmd.run(List.of("scancel", jobId), null);
    if (r.exit() != 0) {
      throw Bq2Exception.needsPerson("scancel " + jobId + " failed (exit " + r.exit() + "): " + r.lastErrLine());
    }
  }

  private static String reason(String r) {
    String s = r.strip();
    return s.isEmpty() || s.equals("None") ? null : s;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
