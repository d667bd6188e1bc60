package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.fleet.JobOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * `bq2 fleet submit`: one batch job per rootfs. The words that are not submit's own are iterate
 * options (checked by iterate's own parser, then passed verbatim) and the rootfs folders.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    customSynopsis = "bq2 fleet submit --engine slurm [--partition P] [--cpus N] [--mem M] [--time T] [--requeue] [--fleet FILE]"
        + " [ITERATE_OPTION...] ROOTFS...",
    description = {"Submit one batch job per ROOTFS, named bq2-<rootfs folder name>, running `bq2 iterate --all-phases --rootfs ROOTFS` with the "
        + "iterate options given (e.g. --assistant codex --max-iterations 8 --until 06:00), checked as iterate checks them and passed verbatim.",
        "The batch script (set -e; exec bq2 iterate ...) and the job's output (fleet-<job id>.out) go to the rootfs's log folder "
        + "(var/lib/sysroot-build-logs), and the job is recorded in the fleet file.",
        "Refused (exit 2, nothing submitted) for a ROOTFS that does not exist or is not writable (it must be on storage every node sees, "
        + "at the same path: NFS, a cluster file system), that has a live job in the fleet file (state from squeue) "
        + "or a live autopilot (named: pid, host, since).",
        "ITERATE_OPTION: any option of `bq2 iterate` but --rootfs, --all-phases, --detach and --attach; "
        + "ROOTFS: the rootfs folders, absolute or relative to the current folder (where the jobs start too).",
        "Slurm is used through sbatch --parsable, squeue and sacct with explicit formats, and scancel; "
        + "a missing command is exit 3 naming the Debian packages (slurm-client, slurm-wlm)."})
public class FleetSubmitCommand implements Callable<Integer> {
  /** Options submit sets itself, or that make no sense in a batch job. */
  private static final Set<String> NOT_PASSED = Set.of("--rootfs", "--all-phases", "--detach", "--attach", "--help", "-h",
      "--version", "-V");

  @Mixin FleetOptions fleet;

  @Option(names = "--engine", paramLabel = "ENGINE", required = true, description = "The batch system: slurm.")
  String engine;

  @Option(names = "--partition", paramLabel = "P", description = "Slurm partition (sbatch --partition).")
  String partition;

  @Option(names = "--cpus", paramLabel = "N", description = "CPUs per job (sbatch --cpus-per-task).")
  Integer cpus;

  @Option(names = "--mem", paramLabel = "M", description = "Memory per job, e.g. 16G (sbatch --mem).")
  String mem;

  @Option(names = "--time", paramLabel = "T", description = "Time limit per job, e.g. 12:00:00 (sbatch --time).")
  String time;

  @Option(names = "--requeue", description = "Let Slurm requeue a job whose node failed or that was preempted "
      + "(sbatch --requeue); the requeued job resumes from the rootfs's files.")
  boolean requeue;

  @Unmatched
  List<String> words = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    if (cpus != null && cpus < 1) throw Bq2Exception.badInput("--cpus " + cpus + ": give 1 or more");
    List<String> options = new ArrayList<>();
    List<Path> rootfs = new ArrayList<>();
    split(words, options, rootfs);
    if (rootfs.isEmpty()) throw Bq2Exception.badInput("fleet submit: no ROOTFS given; name one or more rootfs folders");
    JobOptions jo = new JobOptions(partition, cpus, mem, time, requeue ? Boolean.TRUE : null);
    fleet.fleet(engine).submit(rootfs, options, jo);
    return ExitCodes.OK;
  }

  /**
   * Iterate options (with their values) go to {@code options}, the other words are rootfs
   * folders. iterate's own parser then checks the options, as `bq2 iterate` would.
   */
  static void split(List<String> words, List<String> options, List<Path> rootfs) {
    CommandLine iterate = new CommandLine(new IterateCommand());
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (!w.startsWith("-") || w.equals("-")) {
        rootfs.add(Path.of(w));
        continue;
      }
      String name = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
      if (NOT_PASSED.contains(name)) {
        throw Bq2Exception.badInput("fleet submit: " + name + " is not passed to the jobs: each job runs `iterate --all-phases --rootfs ROOTFS`");
      }
      OptionSpec o = iterate.getCommandSpec().findOption(name);
      if (o == null) {
        throw Bq2Exception.badInput("fleet submit: " + w + " is neither a submit option nor an iterate option "
            + "(see `bq2 fleet submit --help` and `bq2 iterate --help`)");
      }
      options.add(w);
      if (!w.contains("=") && o.arity().max() > 0) {
        if (i + 1 >= words.size()) throw Bq2Exception.badInput("fleet submit: " + name + " needs a value (" + o.paramLabel() + ")");
        options.add(words.get(++i));
      }
    }
    try {
      iterate.parseArgs(options.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw Bq2Exception.badInput("fleet submit: iterate option: " + e.getMessage() + " (see `bq2 iterate --help`)");
    }
  }
}
