package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.annotate.BackAnnotator;
import dev.bq2.ExitCodes;
import dev.bq2.Screen;
import dev.bq2.Tone;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.autopilot.DetachedAutopilot;
import dev.bq2.autopilot.Interruption;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.SupervisedRun;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import dev.bq2.autopilot.IterateOptions;
import dev.bq2.autopilot.IterateResult;
import dev.bq2.assistant.InstalledCli;
import dev.bq2.propose.Proposer;
import dev.bq2.rootfs.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 iterate`: the autopilot loop on the detected (or given) rootfs. */
@Command(name = "iterate", mixinStandardHelpOptions = true,
    description = {"Run the next phase in the background, fixing each failure with a minimal override, until it advances.",
        "Rules first, then the assistant; journal in <repo>/session/. Exit 0 phase complete, 2 bad input, 3 stopped and needs a person "
            + "(its next action goes to the task queue, see `bq2 tasks`; a failed --boot-check too)."})
public class IterateCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Mixin AssistantOptions assistant;

  @Option(names = "--rules", paramLabel = "FILE", description = "Extra rules (JSON), tried before the built-in ones.")
  Path rules;

  @Option(names = "--max-attempts-per-step", paramLabel = "N", defaultValue = "3", description = "Failures of one step before stopping (default ${DEFAULT-VALUE}).")
  int maxAttemptsPerStep;

  @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "20", description = "Runner launches before stopping (default ${DEFAULT-VALUE}).")
  int maxIterations;

  @Option(names = "--until", paramLabel = "HH:MM", converter = Checked.TimeOfDay.class, description = "Local time after which no new runner is started (next occurrence).")
  String until;

  @Option(names = "--deadline", paramLabel = "TIME", converter = Checked.Deadline.class, description = "ISO-8601 instant (e.g. 2026-11-28T06:00:00Z) after which no new runner is started.")
  String deadline;

  @Option(names = "--all-phases", description = "Keep going phase after phase until the plan is complete.")
  boolean allPhases;

  @Option(names = "--boot-check", paramLabel = "ARGS",
      description = "When the plan is complete (next_phase=complete), boot what was built with `bq2 boot-check ARGS`; ARGS is one "
          + "string split like a shell would (quotes, backslashes) without running one or expanding anything, e.g. "
          + "--boot-check \"--rootfs DIR --kernel FILE --run 'uname -r'\". A failed check stops for a person (exit 3): "
          + "its investigation log is linked from the journal and its diagnosis becomes a task.")
  String bootCheck;

  @Option(names = "--session-dir", paramLabel = "DIR", description = "Where session journals go (default: <repo>/session, else <rootfs>/var/lib/sysroot-build-sessions).")
  Path sessionDir;

  @Option(names = "--jobs", paramLabel = "N", description = "Passed to our runner as --jobs N.")
  Integer jobs;

  @Option(names = "--no-clean-on-change",
      description = "Passed to our runner: a step whose definition changed is not restored to a clean tree first.")
  boolean noCleanOnChange;

  @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "2h", converter = Checked.DurationOrNever.class,
      description = "Stop a runner that was idle this long: no runner or step log grew and no process of its tree used CPU (e.g. 45m, 2h; 0 = never; default ${DEFAULT-VALUE}).")
  String stallTimeout;

  @Option(names = "--quiet", description = "Do not print the chosen rootfs and repo.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"},
      description = "Also print every rootfs and repo candidate checked (the session journal records them always).")
  boolean verbose;

  @Option(names = "--back-annotate", description = "When the phase completes, back-annotate the overrides (see `bq2 back-annotate`).")
  boolean backAnnotate;

  @Mixin BackAnnotateOptions annotate;

  @Option(names = "--detach", description = "Run the autopilot itself in the background (overnight); prints where its log and journal are.")
  boolean detach;

  @Option(names = "--attach", description = "Follow a detached autopilot until it ends; exits with its exit code.")
  boolean attach;

  @Spec CommandSpec spec;

  /** Set by the `bq2` shell (ShellCommand's factory): Ctrl-C returns to its prompt; null elsewhere. */
  Interruption interruption;

  @Override
  public Integer call() throws InterruptedException {
    // The assistant asked for is there before anything is detected, written or built.
    Optional<InstalledCli.Found> cli = attach ? Optional.empty() : assistant.checkInstalled();
    // So are the boot-check arguments (their files are checked when the plan is built).
    if (bootCheck != null && !attach) IterateBootCheck.parse(bootCheck, Path.of("session"));
    Context ctx = context.detect();
    if (attach) return attach(ctx);
    if (!quiet) (verbose ? ctx.describe() : List.of("iterate: " + ctx.summary())).forEach(System.out::println);
    if (!quiet && verbose) cli.ifPresent(f -> System.out.println("assistant: " + f.name() + " " + f.describe()));
    if (detach) return detach(ctx);
    AtomicReference<Autopilot> autopilot = new AtomicReference<>();
    List<Proposer> proposers = assistant.proposers(rules, ctx.repo(), attempt -> autopilot.get().recordAssistantAttempt(attempt));
    List<String> runnerArgs = new ArrayList<>();
    if (jobs != null) runnerArgs.addAll(List.of("--jobs", String.valueOf(jobs)));
    if (noCleanOnChange) runnerArgs.add("--no-clean-on-change");
    IterateOptions opt = new IterateOptions(sessionDir, maxAttemptsPerStep, maxIterations, IterateOptions.deadline(deadline, until), allPhases,
        runnerArgs, System.out, Screen.stdout().terminal(),
        stallTimeout.equals("0") ? null : AssistantOptions.duration("--stall-timeout", stallTimeout),
        bootCheck == null ? null : IterateBootCheck.parse(bootCheck, Autopilot.sessionsDir(ctx, sessionDir)));
    autopilot.set(new Autopilot(ctx, proposers, opt));
    IterateResult r;
    if (interruption == null) {
      r = autopilot.get().run();
    } else {
      try {
        r = autopilot.get().interruption(interruption).run();
      } catch (InterruptedException e) {
        return ExitCodes.INTERRUPTED; // the autopilot said what it left running; the shell goes on
      }
    }
    System.out.println(Screen.stdout().paint("iterate: " + r.reason() + " (exit " + r.exitCode() + "; " + r.deltas() + ")",
        r.exitCode() == 0 ? Tone.FIX : Tone.ERROR));
    if (backAnnotate && r.exitCode() == 0) {
      return new BackAnnotator(annotate.options(ctx.repo(), sessionDir, assistant, System.out)).run(ctx).exitCode();
    }
    return r.exitCode();
  }

  private int detach(Context ctx) throws InterruptedException {
    List<String> all = spec.commandLine().getParseResult().originalArgs();
    // originalArgs holds the whole command line; keep what follows `iterate`
    List<String> args = new ArrayList<>(all.subList(all.indexOf("iterate") + 1, all.size()));
    args.removeIf(a -> a.equals("--detach"));
    if (context.rootfs == null) args.addAll(List.of("--rootfs", ctx.rootfs().toString()));
    SupervisedRun run = DetachedAutopilot.start(ctx, args);
    System.out.println("iterate: autopilot detached (pid " + run.record().pid() + ")");
    System.out.println("iterate: log     " + run.record().log());
    System.out.flush();
    Optional<Path> journal = DetachedAutopilot.awaitJournal(run, Duration.ofMinutes(2));
    if (journal.isPresent()) {
      System.out.println("iterate: journal " + journal.get());
    } else {
      System.out.println("iterate: journal not opened yet (the autopilot's log says why); sessions go to "
          + Autopilot.sessionsDir(ctx, sessionDir));
    }
    System.out.println("iterate: follow it with `bq2 iterate --attach --rootfs " + ctx.rootfs() + "`");
    return 0;
  }

  private int attach(Context ctx) throws InterruptedException {
    SupervisedRun run = DetachedAutopilot.current(ctx.layout()).orElseThrow(() -> Bq2Exception.badInput(
        "no detached autopilot for " + ctx.rootfs() + "; start one with `bq2 iterate --detach`"));
    System.out.println("iterate: attached to autopilot pid " + run.record().pid() + " (log " + run.record().log() + ")");
    RunOutcome o = DetachedAutopilot.follow(run, ctx.layout(), System.out, Screen.stdout());
    System.out.println("iterate: detached autopilot ended: " + (o.exitCode() == null ? o.detail() : "exit " + o.exitCode()));
    return o.exitCode() == null ? ExitCodes.NEEDS_PERSON : o.exitCode();
  }
}
