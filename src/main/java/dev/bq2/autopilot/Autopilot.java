package dev.bq2.autopilot;

import static dev.bq2.autopilot.Journal.data;

import dev.bq2.Bq2Exception;
import dev.bq2.Durations;
import dev.bq2.ExitCodes;
import dev.bq2.Screen;
import dev.bq2.TerminalText;
import dev.bq2.WriteFailure;
import dev.bq2.assistant.AssistantAttempt;
import dev.bq2.boot.BootCheck;
import dev.bq2.boot.BootOutcome;
import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.FailureClass;
import dev.bq2.diagnose.LogExcerpt;
import dev.bq2.diagnose.Signature;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import dev.bq2.propose.AssistantDeltaPolicy;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposalRequest;
import dev.bq2.propose.ProposalRequests;
import dev.bq2.propose.ProposalValidator;
import dev.bq2.propose.Proposer;
import dev.bq2.propose.ProposerException;
import dev.bq2.propose.RuleProposer;
import dev.bq2.propose.TriedDeltas;
import dev.bq2.redact.Redactor;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.rootfs.StatusProbe;
import dev.bq2.rootfs.ToolCommand;
import dev.bq2.state.Status;
import dev.bq2.state.Timestamps;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.LogFollower;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.StopRecord;
import dev.bq2.supervise.RunRecord;
import dev.bq2.supervise.SupervisedRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The `iterate` loop (seed 001): run the runner for `next_phase` in the background, read each
 * failure report, get a minimal override proposed (rules first, then an assistant), validate and
 * apply it, rerun, until `next_phase` advances. Every step is journaled before the next one
 * starts, and all progress lives in files (state, overrides history, run records, journal), so
 * killing the autopilot at any moment and starting it again loses nothing.
 */
public final class Autopilot {
  private final Context ctx;
  private final List<Proposer> proposers;
  private final IterateOptions opt;
  private final PrintStream out;
  private final RootfsLayout layout;
  private final BackgroundRunner runner;
  private final OverridesEditor editor;
  /** Follow-ups in the task queue kept across sessions: registered on a stop, ticked off once done. */
  private final FollowUps followUps;
  private final List<Path> journals = new ArrayList<>();
  private int applied;
  private int reverted;
  private final Redactor redactor = Redactor.forProcessEnv();
  private volatile Journal journal;
  private Integer currentIteration;
  /** The last followed run was stopped by us because its log stopped growing. */
  private boolean lastRunStalled;
  private Diagnosis currentFailure;
  private long assistantTokens;
  private int iterationsThisRun;
  /** When this autopilot started: a `bq2 stop` after it is a request to this autopilot. */
  private final Instant startedAt = Instant.now();
  /** The stop request (`bq2 stop`) this autopilot has already journaled, if any. */
  private volatile StopRecord stopJournaled;
  /** The phase being iterated, for a stop journaled from the shutdown hook. */
  private volatile String target;
  private Interruption interruption = Interruption.none();
  /**
   * We run in a batch job (Slurm sets SLURM_JOB_ID; `bq2 fleet`). When the job ends (scancel, time
   * limit) Slurm sends SIGTERM to every process of the job and SIGKILL after its KillWait: a
   * runner left "building in the background" would be killed mid-write, or escape as an orphan.
   * So SIGTERM stops the runner cleanly and waits for it ({@link #batchJobEnds}).
   */
  private final boolean batchJob = System.getenv("SLURM_JOB_ID") != null;
  /** Counted down when {@link #run} returns or throws: it has journaled how its runner ended. */
  private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
  private volatile AutopilotLock held;
  /** Set when our batch job is ending (SIGTERM): how the runner ends now is no build failure. */
  private volatile boolean terminating;

  public Autopilot(Context ctx, List<Proposer> proposers, IterateOptions opt) {
    this.ctx = ctx;
    this.proposers = List.copyOf(proposers);
    this.opt = opt;
    this.out = opt.out();
    this.layout = ctx.layout();
    this.runner = BackgroundRunner.forRootfs(layout);
    this.editor = new OverridesEditor(layout.overrides(), layout.overridesHistory());
    this.followUps = new FollowUps(sessionsDir(ctx, opt.sessionsDir()), layout);
  }

  /**
   * Ctrl-C in the `bq2` shell: this autopilot stops at a safe point, asks whether a runner still
   * building should be stopped too, journals the answer and ends with an InterruptedException,
   * its lock released (the shell goes on). Without it a Ctrl-C ends the whole JVM.
   */
  public Autopilot interruption(Interruption interruption) {
    this.interruption = interruption;
    return this;
  }

  public IterateResult run() throws InterruptedException {
    // `bq2 stop` ends a detached autopilot with SIGTERM when it is not following a runner (an
    // assistant may take minutes): its log and journal still say who stopped it.
    Thread stopHook = new Thread(batchJob ? this::batchJobEnds : this::journalStopRequest, "bq2-stop-request");
    Runtime.getRuntime().addShutdownHook(stopHook);
    try {
      return runLocked();
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: that is the point
      }
    }
  }

  private IterateResult runLocked() throws InterruptedException {
    interruption.cooperate(true);
    try (AutopilotLock lock = AutopilotLock.acquire(layout.logDir())) {
      held = lock;
      if (lock.tookOverFrom() != null) {
        out.println("iterate: took over a stale lock from pid " + lock.tookOverFrom().pid());
      }
      while (true) {
        if (interruption.requested()) throw interrupted(null, null, null);
        PhaseStatus status = status();
        // A run of an earlier target (the autopilot was killed while it ran) is read for what it
        // did before the new target is touched: never taken for a run of the new target.
        if (settleRunOfAnotherPhase(status.complete() ? null : status.nextPhase())) continue;
        if (status.complete()) {
          say("plan complete: nothing left to run (next_phase=complete)");
          if (opt.bootCheck() != null) return bootCheck(status);
          followUps.resolveCompleted(null, status);
          return result(ExitCodes.OK, "plan complete");
        }
        IterateResult r = iteratePhase(status.nextPhase(), status);
        if (r.exitCode() != ExitCodes.OK) return r;
        // Without --all-phases the run ends with its phase, unless that was the last one and a boot check follows.
        if (!opt.allPhases() && (opt.bootCheck() == null || !status().complete())) return r;
      }
    } catch (Bq2Exception e) {
      // Our own files cannot be written (full or read-only disk): a person fixes the disk, exit 3.
      Bq2Exception w = WriteFailure.fromWrite(e);
      throw w == null ? e : w;
    } catch (UncheckedIOException e) {
      throw WriteFailure.fromUnchecked(e);
    } finally {
      interruption.cooperate(false);
    }
  }

  /** Iterates one phase until it completes (exit 0) or the run must stop (exit 3). */
  private IterateResult iteratePhase(String target, PhaseStatus before) throws InterruptedException {
    Journal journal = Journal.openOrContinue(sessionsDir(ctx, opt.sessionsDir()), target);
    this.journal = journal;
    this.target = target;
    journals.add(journal.dir());
    int iteration = journal.events().stream().map(JournalEvent::iteration)
        .filter(i -> i != null).max(Integer::compare).orElse(0);
    boolean continued = journal.isContinued();
    // The last runner of this session was stopped (`bq2 stop`, a signal): its rerun resumes the
    // same iteration, it is no new attempt.
    boolean resume = lastRunnerWasStopped(journal);
    journal.record(continued ? "session_resumed" : "session_started", null, target, null,
        "target phase " + target, data("rootfs", layout.rootfs().toString(),
            "repo", ctx.repo() == null ? null : ctx.repo().toString(),
            "runner", String.join(" ", ctx.runnerArgv(target)),
            "proposers", proposers.stream().map(Proposer::name).toList(),
            "detection", ctx.describe()));
    say((continued ? "resuming" : "starting") + " phase " + target + "; journal " + journal.dir().resolve("journal.md"));
    // Work done since the tasks were registered (a runner run by hand, earlier phases) ticks them off.
    sayResolved(followUps.resolveCompleted(journal, before));

    while (true) {
      if (interruption.requested()) throw interrupted(journal, iteration, target);
      if (opt.deadline() != null && Instant.now().isAfter(opt.deadline())) {
        return stop(journal, iteration, target, null, "deadline", "deadline " + opt.deadline() + " passed", "rerun `bq2 iterate` to continue");
      }
      Optional<SupervisedRun> existing = runner.attach();
      if (existing.isEmpty()) {
        Optional<StopRecord> asked = stopRequest();
        if (asked.isPresent()) return stopRequested(journal, iteration, target, asked.get());
      }
      if (existing.isEmpty() && !resume && iteration >= opt.maxIterations()) {
        return stop(journal, iteration, target, null, "max-iterations", "--max-iterations " + opt.maxIterations() + " reached",
            "read the journal's failures; raise --max-iterations if progress is being made");
      }
      SupervisedRun run;
      boolean foundEnded = existing.isPresent() && existing.get().state() != SupervisedRun.State.RUNNING;
      if (existing.isPresent()) {
        run = existing.get();
        if (iteration == 0) iteration = 1;
        journal.record("runner_reattached", iteration, target, null,
            "re-attached to runner pid " + run.record().pid() + " (" + run.state() + ")",
            data("pid", run.record().pid(), "log", run.record().log()));
        say("#" + iteration + " re-attached to runner pid " + run.record().pid() + " (" + run.state().name().toLowerCase() + ")");
      } else {
        boolean resumed = resume && iteration > 0;
        if (!resumed) {
          iteration++;
          iterationsThisRun++;
        }
        resume = false;
        List<String> argv = new ArrayList<>(ctx.runnerArgv(target));
        argv.addAll(opt.runnerArgs());
        run = runner.start(target, argv, ctx.toolCwd(), Map.of("LOG_LEVEL", "INFO"));
        journal.record("runner_started", iteration, target, null, "runner pid " + run.record().pid()
                + (resumed ? " (resuming the stopped run)" : ""),
            data("pid", run.record().pid(), "log", run.record().log(), "command", run.record().command(),
                "resumed", resumed ? Boolean.TRUE : null));
        say("#" + iteration + " runner " + (resumed ? "resumed" : "started") + " (pid " + run.record().pid() + ", log "
            + run.record().log() + ")");
      }
      RunOutcome outcome = followTellingWhatAnInterruptLeaves(run, iteration);
      Instant started = Instant.parse(run.record().startedAt());
      double seconds = Duration.between(started, outcome.finishedAt() == null ? Instant.now() : outcome.finishedAt()).toMillis() / 1000.0;
      journal.record("runner_exited", iteration, target, null, outcome.detail(),
          data("exit_code", outcome.exitCode(), "state", outcome.state().name(), "duration_s", seconds));
      Path runnerLogCopy = journal.archive(Path.of(run.record().log()), "logs");

      PhaseStatus status = status();
      sayResolved(followUps.resolveCompleted(journal, status));
      Optional<HistoryEntry> pending = pendingDelta();
      if (!target.equals(status.nextPhase())) {
        pending.ifPresent(p -> outcome(journal, p, "fixed"));
        runner.forget(run.record());
        journal.record("phase_complete", iteration, target, null, "phase " + target + " complete; next_phase=" + status.nextPhase(),
            data("next_phase", status.nextPhase(), "applied", applied));
        say("phase " + target + " complete after " + iteration + " iteration(s); next_phase=" + status.nextPhase());
        return result(ExitCodes.OK, "phase " + target + " complete");
      }
      Optional<Path> report = reportOf(run);
      if (killedOnItsOwn(outcome, report)) {
        String step = status.nextStep();
        String log = run.record().log();
        // Counted per run log: a re-attach after our own kill must not count the same run twice.
        boolean seenBefore = journal.events().stream().anyMatch(e -> e.type().equals("runner_killed") && log.equals(e.get("log")));
        long earlier = journal.events().stream().filter(e -> e.type().equals("runner_killed") && Objects.equals(step, e.step())
            && !log.equals(e.get("log"))).count();
        String how = killedHow(outcome);
        if (!seenBefore) {
          journal.record("runner_killed", iteration, target, step, how, data("exit_code", outcome.exitCode(),
              "state", outcome.state().name(), "log", log, "runner_log_copy", str(runnerLogCopy)));
        }
        runner.forget(run.record());
        if (earlier >= 1) {
          return stop(journal, iteration, target, step, "runner-killed", "runner killed again in " + target + (step == null ? "" : "/" + step)
              + ": " + how, "find out what kills it (`dmesg | grep -i -e oom -e killed`, free memory, limits), "
              + "lower --jobs if it is the OOM killer, then `bq2 iterate`");
        }
        say("#" + iteration + " " + how + "; starting it again once");
        continue;
      }
      if (!lastRunStalled && (interrupted(outcome, report) || stopAsked(run))) {
        String how = stoppedHow(run, outcome);
        String step = status.nextStep();
        boolean seenBefore = journal.events().stream()
            .anyMatch(e -> e.type().equals("runner_stopped") && run.record().log().equals(e.get("log")));
        Optional<StopRecord> by = StopRecord.read(layout.logDir()).filter(r -> r.stopped(run.record()));
        if (!seenBefore) {
          journal.record("runner_stopped", iteration, target, step, "runner " + how, stopData(by.orElse(null),
              "log", run.record().log(), "exit_code", outcome.exitCode()));
        }
        by.ifPresent(r -> stopJournaled = r);
        runner.forget(run.record());
        if (!foundEnded) {
          // Stopped while we followed it: someone wants the build to stop, so we stop too.
          say("#" + iteration + " runner " + how + "; `bq2 iterate` resumes phase " + target + " where it was");
          return result(ExitCodes.TERMINATED, "runner " + how);
        }
        say("#" + iteration + " runner " + how + "; that is no build failure: resuming phase " + target + " where it was");
        resume = true;
        continue;
      }
      if (outcome.succeeded() || report.isEmpty()) {
        runner.forget(run.record());
        String said = lastWords(Path.of(run.record().log()));
        return stop(journal, iteration, target, status.nextStep(), "no-report", "runner exited " + outcome.exitCode() + " without advancing "
            + target + " and without a failure report" + (said == null ? "" : ": " + said),
            "read the runner log " + runnerLogCopy);
      }

      FailureReport failure = ReportFiles.read(report.get());
      Diagnosis diagnosed = Diagnoser.diagnose(report.get(), failure, List.of(layout.logDir()));
      // We stopped a stalled run: the report says "interrupted", the truth is "stalled", and no
      // override rule knows why a build hangs, so a person looks (the log is archived below).
      Diagnosis d = lastRunStalled ? diagnosed.withClass(FailureClass.STALLED) : diagnosed;
      Path reportCopy = journal.archive(report.get(), "reports");
      Path logCopy = journal.archive(d.outputLog(), "logs");
      String reportPath = report.get().toString();
      // A run re-attached after a kill may already have been handled up to some point: its
      // failure is journaled once, and a delta already applied for it is not judged by it.
      boolean seen = journal.events().stream()
          .anyMatch(e -> e.type().equals("failure") && reportPath.equals(e.get("report")));
      if (!seen) {
        journal.record("failure", iteration, d.phase(), d.step(), d.error(),
            data("class", d.failureClass().name().toLowerCase(), "signature", d.signature(), "cause", d.cause(),
                "exit_code", d.exitCode(), "report", reportPath, "report_copy", str(reportCopy),
                "log_copy", str(logCopy), "runner_log_copy", str(runnerLogCopy), "excerpt", d.excerpt()));
        say("#" + iteration + " failed: " + d.phase() + "/" + d.step() + " (" + d.failureClass().name().toLowerCase()
            + ", signature " + d.signature().substring(0, 12) + ")" + firstLine(d));
      }
      if (pending.isPresent() && reportPath.equals(pending.get().report())) {
        runner.forget(run.record());
        say("#" + iteration + " the delta for this failure is already applied (" + describe(pending.get().delta())
            + "); rerunning");
        continue;
      }

      // After a revert the tree is back where the delta found it, so what follows is asked for the
      // failure the delta was applied for (its signature holds what was tried).
      Diagnosis asked = d;
      if (pending.isPresent()) {
        HistoryEntry p = pending.get();
        if (d.signature().equals(p.signature()) || sameRootError(p, d)) {
          if (!d.signature().equals(p.signature())) {
            asked = new Diagnosis(d.report(), d.phase(), d.step(), d.failureClass(), d.error(), d.exitCode(), d.outputLog(),
                d.excerpt(), p.signature(), d.cause());
          }
          // Revert before recording the outcome: a kill in between leaves the delta pending, and
          // the next autopilot reverts it again (a no-op) instead of keeping a useless delta.
          editor.revert(p.id());
          reverted++;
          outcome(journal, p, "same_failure");
          journal.record("reverted", iteration, p.phase(), p.step(), "reverted " + describe(p.delta()) + ": the same failure came back",
              data("id", p.id()));
          say("#" + iteration + " the delta did not help; reverted: " + describe(p.delta()));
        } else {
          outcome(journal, p, p.phase().equals(d.phase()) && Objects.equals(p.step(), d.step()) ? "new_failure" : "fixed");
        }
      }

      if (d.failureClass() == FailureClass.STALLED) {
        // Handled: the next `iterate` (after a person looked) starts a fresh runner rather than
        // re-attaching to this one and taking our own stop for someone's.
        runner.forget(run.record());
        return stop(journal, iteration, target, d.step(), "stalled", "runner stalled in " + d.phase() + "/" + d.step() + ": for "
            + Durations.text(opt.stallTimeout()) + " no log grew (runner or step) and no process of its tree used CPU, so it was stopped",
            "read " + str(logCopy) + " for where it hung (a prompt, a lock, a network wait); raise --stall-timeout if the step just waits that long");
      }
      long attemptsOnStep = journal.events().stream()
          .filter(e -> e.type().equals("failure") && d.phase().equals(e.phase()) && d.step().equals(e.step())).count();
      if (attemptsOnStep > opt.maxAttemptsPerStep()) {
        runner.forget(run.record());
        return stop(journal, iteration, target, d.step(), failureKey(asked), "--max-attempts-per-step " + opt.maxAttemptsPerStep() + " reached for "
            + d.phase() + "/" + d.step(), "fix " + d.step() + " by hand (see the failure excerpt), then `bq2 iterate`");
      }
      boolean fixApplied;
      try {
        fixApplied = proposeAndApply(journal, iteration, asked, failure);
      } catch (InterruptedException e) {
        // A second Ctrl-C in the shell ended the assistant (its process group) at once.
        if (!interruption.requested()) throw e;
        throw interrupted(journal, iteration, target);
      } catch (Bq2Exception e) {
        if (e.exitCode() != ExitCodes.NEEDS_PERSON) throw e;
        runner.forget(run.record());
        return stop(journal, iteration, target, d.step(), failureKey(asked), e.getMessage(), "raise --max-assistant-tokens or fix "
            + d.step() + " by hand, then `bq2 iterate`");
      }
      // Only now is this run fully handled: a kill before this point re-attaches to it (its
      // exit is on file) and carries on from its report instead of rerunning the build.
      runner.forget(run.record());
      if (!fixApplied) {
        return stop(journal, iteration, target, d.step(), failureKey(asked), "no safe fix known for " + d.phase() + "/" + d.step() + " ("
            + d.failureClass().name().toLowerCase() + ")", "read " + str(logCopy) + ", add an override by hand or a rule "
            + "(--rules FILE), or use --assistant codex|claude; then `bq2 iterate`");
      }
    }
  }

  /** Asks each proposer in turn; applies the first valid proposal. False when none could be applied. */
  private boolean proposeAndApply(Journal journal, int iteration, Diagnosis d, FailureReport report) throws InterruptedException {
    currentIteration = iteration;
    currentFailure = d;
    BuildPlan plan = PlanFiles.readPlan(layout.plan());
    Overrides overrides = PlanFiles.readOverrides(layout.overrides());
    ProposalRequest request = ProposalRequests.build(d, report, plan, overrides, layout.overrides(),
        layout.overridesHistory(), ctx.repo());
    for (Proposer proposer : proposers) {
      long t0 = System.nanoTime();
      Optional<Proposal> proposal;
      try {
        proposal = proposer.propose(request);
      } catch (ProposerException e) {
        journal.record("proposal_rejected", iteration, d.phase(), d.step(), proposer.name() + " failed: " + e.getMessage(),
            data("proposer", proposer.name(), "duration_s", secondsSince(t0)));
        say("#" + iteration + " " + proposer.name() + " failed: " + TerminalText.escape(e.getMessage()));
        continue;
      }
      double took = secondsSince(t0);
      if (proposal.isEmpty()) {
        journal.record("proposal_rejected", iteration, d.phase(), d.step(), proposer.name() + " has no proposal",
            data("proposer", proposer.name(), "duration_s", took));
        continue;
      }
      Proposal p = proposal.get();
      if (p.escalate()) {
        journal.record("proposal_rejected", iteration, d.phase(), d.step(), proposer.name() + " escalated: " + p.rationale(),
            data("proposer", proposer.name(), "duration_s", took));
        say("#" + iteration + " " + proposer.name() + " knows no safe fix: " + TerminalText.escape(p.rationale()));
        continue;
      }
      List<String> reasons = new ArrayList<>(ProposalValidator.validate(p, request));
      // Build output reaches an assistant; its answer must not become code (our rules are reviewed data).
      if (!(proposer instanceof RuleProposer)) reasons.addAll(AssistantDeltaPolicy.check(p));
      if (!reasons.isEmpty()) {
        journal.record("proposal_rejected", iteration, d.phase(), d.step(), String.join("; ", reasons),
            data("proposer", proposer.name(), "duration_s", took, "delta", p));
        say("#" + iteration + " " + proposer.name() + " proposal rejected: " + TerminalText.escape(String.join("; ", reasons)));
        continue;
      }
      journal.record("proposal", iteration, d.phase(), d.step(), describe(p),
          data("proposer", proposer.name(), "duration_s", took, "delta", p, "rationale", p.rationale()));
      HistoryEntry entry = editor.apply(p, d, proposer.name());
      applied++;
      journal.record("applied", iteration, d.phase(), d.step(), describe(p),
          data("id", entry.id(), "proposer", proposer.name(), "rationale", p.rationale()));
      say("#" + iteration + " " + proposer.name() + " → " + TerminalText.escape(describe(p)) + " (" + TerminalText.escape(p.rationale()) + "); applied, rerunning");
      return true;
    }
    return false;
  }

  /**
   * Journals one assistant attempt (tokens, cost, session, outcome); assistants call this for
   * every attempt, failed ones included.
   */
  public void recordAssistantAttempt(AssistantAttempt a) {
    assistantTokens += a.tokens();
    if (journal == null) return;
    Diagnosis d = currentFailure;
    journal.record("assistant_attempt", currentIteration, d == null ? null : d.phase(), d == null ? null : d.step(), a.proposer() + " " + a.outcome()
        + (a.error() == null ? "" : ": " + a.error()),
        data("proposer", a.proposer(), "outcome", a.outcome(), "session_id", a.sessionId(),
            "tokens_in", a.tokensIn(), "tokens_out", a.tokensOut(), "cost_usd", a.costUsd(),
            "duration_ms", a.durationMs(), "tokens_total", assistantTokens));
  }

  /**
   * Follows the run; if the autopilot is interrupted meanwhile (Ctrl-C, SIGTERM), says that the
   * runner goes on and how to get back to it, since the runner deliberately outlives us.
   */
  private RunOutcome followTellingWhatAnInterruptLeaves(SupervisedRun run, int iteration) throws InterruptedException {
    long pid = run.record().pid();
    Thread hint = new Thread(() -> {
      if (batchJob) return; // the runner does not go on: batchJobEnds stops it
      out.println();
      out.println("iterate: interrupted; the runner goes on in the background (pid " + pid + ", log "
          + run.record().log() + "). `bq2 iterate` re-attaches to it, `bq2 stop` stops it.");
      out.flush();
    }, "bq2-interrupt-hint");
    Runtime.getRuntime().addShutdownHook(hint);
    try {
      interruption.arm();
      try {
        return follow(run, iteration);
      } finally {
        interruption.disarm();
      }
    } catch (InterruptedException e) {
      if (!interruption.requested()) throw e;
      throw interrupted(journal, iteration, run.record().phase());
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hint);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: that is the point
      }
    }
  }

  /** How long a runner asked to stop (SIGTERM) gets to stop its step and save its state. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(60);

  /**
   * The person interrupted us (Ctrl-C in the `bq2` shell). A runner still building is left
   * building in the background (the default: `iterate` re-attaches later) or, if the person says
   * so, stopped with its whole process group and forgotten (the next `iterate` starts a fresh
   * runner, which resumes from the state). Either way the journal says what happened, by whom
   * and when; the caller throws the returned exception, which releases the autopilot lock.
   */
  private InterruptedException interrupted(Journal j, Integer iteration, String phase) throws InterruptedException {
    Thread.interrupted(); // a second Ctrl-C interrupts at once: it is answered here, not by the next wait
    if (opt.terminal()) out.println();
    String by = System.getProperty("user.name", "?") + " (Ctrl-C in the bq2 shell)";
    Optional<SupervisedRun> live = runner.attach().filter(r -> r.state() == SupervisedRun.State.RUNNING);
    if (live.isEmpty()) {
      journalIfOpen(j, "interrupted", iteration, phase, "interrupted by " + by + "; no runner was running", data("by", by));
      say("interrupted; no runner is running");
      return new InterruptedException("interrupted");
    }
    SupervisedRun run = live.get();
    RunRecord r = run.record();
    say("interrupted; the runner (pid " + r.pid() + ", phase " + r.phase() + ") is still building");
    if (!interruption.stopRunner(r)) {
      journalIfOpen(j, "interrupted", iteration, r.phase(), "interrupted by " + by + "; runner pid " + r.pid()
          + " left building in the background", data("by", by, "pid", r.pid(), "log", r.log(), "runner", "left running"));
      say("the runner goes on in the background (pid " + r.pid() + ", log " + r.log() + "); `iterate` re-attaches to it, "
          + "`stop` stops it");
      return new InterruptedException("interrupted");
    }
    say("stopping the runner (pid " + r.pid() + " and its process group)...");
    run.stop();
    Optional<RunOutcome> o = run.await(STOP_WAIT);
    if (o.isEmpty()) {
      journalIfOpen(j, "interrupted", iteration, r.phase(), "interrupted by " + by + "; runner pid " + r.pid() + " asked to stop (SIGTERM)"
          + " but still running after " + Durations.text(STOP_WAIT), data("by", by, "pid", r.pid(), "log", r.log(), "runner", "stopping"));
      say("the runner is still stopping after " + Durations.text(STOP_WAIT) + "; `stop` asks it again, `kill -- -" + r.pid() + "` ends it");
      return new InterruptedException("interrupted");
    }
    RunOutcome stopped = o.get();
    Integer code = stopped.exitCode();
    if (code == null || (code != ExitCodes.TERMINATED && code != ExitCodes.INTERRUPTED)) {
      // It ended on its own before the signal (done, or a real failure): the next `iterate`
      // re-attaches to this ended run and handles its result as usual.
      journalIfOpen(j, "interrupted", iteration, r.phase(), "interrupted by " + by + "; runner pid " + r.pid()
          + " had ended on its own: " + stopped.detail(), data("by", by, "pid", r.pid(), "log", r.log(), "runner", "ended"));
      say("the runner had ended on its own (" + stopped.detail() + "); `iterate` takes up its result");
      return new InterruptedException("interrupted");
    }
    journalIfOpen(j, "runner_stopped", iteration, r.phase(), "runner pid " + r.pid() + " stopped by " + by + ": " + stopped.detail(),
        data("by", by, "pid", r.pid(), "exit_code", code, "state", stopped.state().name(), "log", r.log()));
    if (j != null) j.archive(Path.of(r.log()), "logs");
    // Stopped on purpose, not failed: the next `iterate` starts a fresh runner (which resumes from
    // the state) instead of reading this run's "interrupted" report as a build failure.
    runner.forget(r);
    say("runner stopped (" + stopped.detail() + ")");
    return new InterruptedException("interrupted");
  }

  private static void journalIfOpen(Journal j, String type, Integer iteration, String phase, String message, Map<String, Object> data) {
    if (j != null) j.record(type, iteration, phase, null, message, data);
  }

  private RunOutcome follow(SupervisedRun run, int iteration) throws InterruptedException {
    // The journal says which step is being built while the runner runs, not only afterwards.
    LiveJournal live = LiveJournal.start(journal, iteration, run.log(), LiveJournal.REFRESH);
    RunOutcome outcome = null;
    try {
      outcome = followLog(run, iteration);
      return outcome;
    } finally {
      live.close(outcome);
    }
  }

  private RunOutcome followLog(SupervisedRun run, int iteration) throws InterruptedException {
    try {
      LogFollower follower = new LogFollower(Path.of(run.record().log()), 0, out, opt.terminal(),
          Instant.parse(run.record().startedAt()));
      // Ours write step logs in the log folder, the existing tool its command logs in the report folder.
      follower.stepLogDirs(List.of(layout.logDir(), layout.reportDir()));
      follower.attempt(iteration);
      if (opt.stallTimeout() != null) follower.stallTimeout(opt.stallTimeout(), List.of(layout.logDir(), layout.reportDir()));
      lastRunStalled = false;
      try {
        return follower.follow(run);
      } finally {
        lastRunStalled = follower.stalled();
      }
    } catch (IOException e) {
      return run.awaitExit();
    }
  }

  /**
   * Handles the recorded run when it belongs to another phase than {@code target} (null: the plan
   * is complete): the autopilot was killed while the last runner of that phase ran, and the runner
   * finished meanwhile. Its phase's journal gets what it did (phase complete, or how it ended)
   * and the run is forgotten. True when there was such a run (the caller reads the status again).
   */
  private boolean settleRunOfAnotherPhase(String target) throws InterruptedException {
    Optional<SupervisedRun> existing = runner.attach();
    if (existing.isEmpty()) return false;
    SupervisedRun run = existing.get();
    String phase = run.record().phase();
    if (phase == null || phase.equals(target)) return false;
    Journal j = Journal.openOrContinue(sessionsDir(ctx, opt.sessionsDir()), phase);
    this.journal = j;
    journals.add(j.dir());
    int iteration = j.events().stream().map(JournalEvent::iteration).filter(i -> i != null).max(Integer::compare).orElse(1);
    j.record("runner_reattached", iteration, phase, null, "re-attached to runner pid " + run.record().pid() + " of phase "
        + phase + " (" + run.state() + "); next_phase is " + (target == null ? PhaseStatus.COMPLETE : target),
        data("pid", run.record().pid(), "log", run.record().log()));
    say("#" + iteration + " re-attached to runner pid " + run.record().pid() + " of phase " + phase + " ("
        + run.state().name().toLowerCase() + ")");
    RunOutcome outcome = followTellingWhatAnInterruptLeaves(run, iteration);
    Instant started = Instant.parse(run.record().startedAt());
    double seconds = Duration.between(started, outcome.finishedAt() == null ? Instant.now() : outcome.finishedAt()).toMillis() / 1000.0;
    j.record("runner_exited", iteration, phase, null, outcome.detail(),
        data("exit_code", outcome.exitCode(), "state", outcome.state().name(), "duration_s", seconds));
    j.archive(Path.of(run.record().log()), "logs");
    PhaseStatus now = status();
    if (outcome.succeeded() && !phase.equals(now.nextPhase())) {
      pendingDelta().ifPresent(p -> outcome(j, p, "fixed"));
      runner.forget(run.record());
      j.record("phase_complete", iteration, phase, null, "phase " + phase + " complete; next_phase=" + now.nextPhase(),
          data("next_phase", now.nextPhase(), "applied", applied));
      say("phase " + phase + " complete (its runner finished while no autopilot followed it); next_phase=" + now.nextPhase());
      return true;
    }
    // Not the target and not a completed phase: what it did is journaled; the target gets runs of its own.
    runner.forget(run.record());
    say("#" + iteration + " that run of phase " + phase + " ended (" + outcome.detail() + ") and is not a run of "
        + (target == null ? "anything left" : "phase " + target) + "; going on with next_phase=" + now.nextPhase());
    return true;
  }

  /**
   * The runner ended by SIGINT/SIGTERM (exit 130/143, or a report that says it was interrupted):
   * a request from someone (`bq2 stop`, kill), not a build failure.
   */
  private static boolean interrupted(RunOutcome outcome, Optional<Path> report) {
    Integer code = outcome.exitCode();
    if (code != null && (code == ExitCodes.INTERRUPTED || code == ExitCodes.TERMINATED)) return true;
    if (report.isEmpty()) return false;
    try {
      String error = ReportFiles.read(report.get()).error();
      return error != null && error.startsWith("Interrupted by SIG");
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /**
   * Someone asked this run to stop (`bq2 stop`, `bq2 fleet cancel`), or our batch job is ending:
   * whatever the runner reports then is the stop's doing. Slurm signals every process of the
   * job at once, so a step may die of the SIGTERM and be reported as a failed command (exit 1,
   * "Command failed (143)") before the runner handles its own SIGTERM.
   */
  private boolean stopAsked(SupervisedRun run) {
    if (terminating) return true;
    try {
      return StopRecord.read(layout.logDir()).filter(r -> r.stopped(run.record())).isPresent();
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /** `stopped by root (bq2 stop, pid 4242) at …`, or the signal when no `bq2 stop` asked for it. */
  private String stoppedHow(SupervisedRun run, RunOutcome outcome) {
    Optional<StopRecord> by = StopRecord.read(layout.logDir()).filter(r -> r.stopped(run.record()));
    if (by.isPresent()) return by.get().describe();
    if (terminating) {
      return "stopped: batch job " + System.getenv("SLURM_JOB_ID") + " is ending (SIGTERM from Slurm: scancel, requeue, time limit or node shutdown)";
    }
    Integer code = outcome.exitCode();
    String signal = code == null ? "a signal" : code == ExitCodes.INTERRUPTED ? "SIGINT" : code == ExitCodes.TERMINATED ? "SIGTERM"
        : "a signal";
    String when = outcome.finishedAt() == null ? "" : " at " + Timestamps.state(outcome.finishedAt());
    return "interrupted by " + signal + (code == null ? "" : " (exit " + code + ")") + when + ", not by `bq2 stop`";
  }

  private static Map<String, Object> stopData(StopRecord r, Object... more) {
    Map<String, Object> d = data(more);
    if (r != null) {
      d.putAll(data("stopped_by", r.user(), "stopper_pid", r.pid(), "stopper_command", r.command(), "stopped_at", r.stoppedAt()));
    }
    return d;
  }

  /** A `bq2 stop` made after this autopilot started and not yet journaled by it. */
  private Optional<StopRecord> stopRequest() {
    try {
      return StopRecord.read(layout.logDir()).filter(r -> r.at().isAfter(startedAt))
          .filter(r -> stopJournaled == null || !stopJournaled.equals(r));
    } catch (RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  /** `bq2 stop` came while no runner ran (we were proposing): start none, say who stopped us. */
  private IterateResult stopRequested(Journal journal, int iteration, String target, StopRecord r) {
    stopJournaled = r;
    journal.record("stop_requested", iteration, target, null, "autopilot " + r.describe(), stopData(r));
    say("autopilot " + r.describe() + "; `bq2 iterate` resumes phase " + target + " where it was");
    return result(ExitCodes.TERMINATED, "autopilot " + r.describe());
  }

  /** Shutdown hook: a stop request this autopilot did not get to journal (SIGTERM from `bq2 stop`). */
  private void journalStopRequest() {
    Optional<StopRecord> r = stopRequest();
    Journal j = journal;
    if (r.isEmpty()) return;
    stopJournaled = r.get();
    try {
      if (j != null) {
        j.record("stop_requested", currentIteration, target, null, "autopilot " + r.get().describe(), stopData(r.get()));
      }
    } catch (RuntimeException cannotWrite) {
      // dying anyway; the line below still reaches the log
    }
    say("autopilot " + r.get().describe() + "; `bq2 iterate` resumes where it was");
  }

  /** How long a SIGTERM'd batch job waits for its runner, then for our own handling: both within Slurm's KillWait (30 s). */
  private static final Duration BATCH_STOP_WAIT = Duration.ofSeconds(20);
  private static final Duration BATCH_JOURNAL_WAIT = Duration.ofSeconds(5);

  /**
   * Shutdown hook in a batch job (SIGTERM from Slurm: `scancel`, `bq2 fleet cancel`, time
   * limit). Slurm signalled the runner too; it is stopped here as well (its process group, in
   * case a process of it did not get the signal) and waited for. Following it, {@link #run} then
   * journals how it ended (`runner_stopped`, with who cancelled from the stop record) and
   * releases the lock; if it was not following one (proposing), the stop request is journaled
   * here and the lock released here.
   */
  private void batchJobEnds() {
    terminating = true;
    try {
      Optional<SupervisedRun> live = runner.attach().filter(r -> r.state() == SupervisedRun.State.RUNNING);
      if (live.isPresent()) {
        live.get().stop();
        live.get().await(BATCH_STOP_WAIT);
      }
      if (finished.await(BATCH_JOURNAL_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) return;
    } catch (InterruptedException | RuntimeException e) {
      // dying anyway: journal what we can below
    }
    boolean asked = stopRequest().isPresent();
    journalStopRequest();
    Journal j = journal;
    if (!asked && j != null) {
      try {
        j.record("stop_requested", currentIteration, target, null, "autopilot terminated by SIGTERM in batch job "
            + System.getenv("SLURM_JOB_ID") + " (scancel, requeue, time limit or node shutdown)", data("job_id", System.getenv("SLURM_JOB_ID")));
      } catch (RuntimeException cannotWrite) {
        // dying anyway
      }
    }
    AutopilotLock l = held;
    if (l != null) l.close();
  }

  /** True when this session's last runner was stopped (journaled `runner_stopped` after its last start). */
  private static boolean lastRunnerWasStopped(Journal journal) {
    List<JournalEvent> ev = journal.events();
    for (int i = ev.size() - 1; i >= 0; i--) {
      String t = ev.get(i).type();
      if (t.equals("runner_stopped")) return true;
      if (t.equals("runner_started") || t.equals("failure") || t.equals("phase_complete")) return false;
    }
    return false;
  }

  /**
   * Killed from outside without a word (SIGKILL from the OOM killer, a crash) or lost together
   * with its wrapper: both are rerun once. SIGINT/SIGTERM (130/143) are requests the runner
   * answers itself, with a report.
   */
  private static boolean killedOnItsOwn(RunOutcome outcome, Optional<Path> report) {
    if (outcome.state() == SupervisedRun.State.LOST) return true;
    Integer code = outcome.exitCode();
    return code != null && code > 128 && code != ExitCodes.INTERRUPTED && code != ExitCodes.TERMINATED && report.isEmpty();
  }

  private static String killedHow(RunOutcome outcome) {
    if (outcome.state() == SupervisedRun.State.LOST) return outcome.detail();
    int sig = outcome.exitCode() - 128;
    String name = switch (sig) {
      case 9 -> "SIGKILL, e.g. the OOM killer";
      case 6 -> "SIGABRT";
      case 7 -> "SIGBUS";
      case 11 -> "SIGSEGV";
      default -> "signal " + sig;
    };
    return "runner killed (exit " + outcome.exitCode() + ": " + name + ") without a failure report; its log is "
        + outcome.record().log();
  }

  /** The newest report written by this run (report names start with a UTC timestamp, in ms). */
  private Optional<Path> reportOf(SupervisedRun run) {
    // No slack: the run's start time is taken before the runner starts, on the same clock, so a
    // report from the previous run (which may end within the same second) never counts as this one's.
    String since = Timestamps.compact(Instant.parse(run.record().startedAt()));
    return ReportFiles.newest(layout.reportDir())
        .filter(p -> p.getFileName().toString().compareTo(since) >= 0);
  }

  /**
   * The failure the delta was applied for came back with the same decisive error, though the
   * signature moved (other secondary lines, a class the new output tips): same step, same cause
   * line once normalised. Such a delta did not help and must not be kept.
   */
  private static boolean sameRootError(HistoryEntry p, Diagnosis now) {
    if (now.cause() == null || p.report() == null || !now.phase().equals(p.phase()) || !Objects.equals(now.step(), p.step())) {
      return false;
    }
    try {
      Diagnosis before = Diagnoser.diagnose(Path.of(p.report()));
      return before.cause() != null && Signature.normalise(before.cause()).equals(Signature.normalise(now.cause()));
    } catch (RuntimeException unreadable) {
      return false; // the old report is gone or damaged: only the signature can tell
    }
  }

  /** The last applied delta that has no outcome yet (from the history file, which outlives us). */
  private Optional<HistoryEntry> pendingDelta() {
    Map<String, HistoryEntry> open = new LinkedHashMap<>();
    for (HistoryEntry h : TriedDeltas.read(layout.overridesHistory())) {
      switch (h.event()) {
        case "applied" -> open.put(h.id(), h);
        case "outcome", "reverted" -> open.remove(h.id());
        default -> { }
      }
    }
    HistoryEntry last = null;
    for (HistoryEntry h : open.values()) last = h;
    return Optional.ofNullable(last);
  }

  private void outcome(Journal journal, HistoryEntry p, String outcome) {
    editor.recordOutcome(p.id(), outcome);
    Integer appliedIn = journal.events().stream()
        .filter(e -> e.type().equals("applied") && p.id().equals(e.get("id")))
        .map(JournalEvent::iteration).findFirst().orElse(null);
    journal.record("outcome", null, p.phase(), p.step(), describe(p.delta()) + " → " + outcome,
        data("id", p.id(), "outcome", outcome, "applied_in", appliedIn));
  }

  /**
   * Stops for a person (exit 3); the next action also goes to the task queue, keyed by
   * {@code phase/step:what} ({@code what}: the failure's signature or the kind of stop).
   */
  private IterateResult stop(Journal journal, int iteration, String target, String step, String what, String reason,
      String next) {
    String task = followUps.register(journal, target, step, what, reason, next);
    return stopped(journal, iteration, target, task, reason, next, Map.of());
  }

  /** Journals the stop (naming the task registered for it) and says it; exit 3. */
  private IterateResult stopped(Journal journal, Integer iteration, String target, String task, String reason, String next,
      Map<String, Object> more) {
    int inForce = TriedDeltas.inForce(layout.overridesHistory()).size();
    Map<String, Object> d = data("exit_code", ExitCodes.NEEDS_PERSON, "next_action", next,
        "deltas_in_force", inForce, "reverted", reverted, "task", task, "task_queue", followUps.queue().file().toString());
    d.putAll(more);
    journal.record("stopped", iteration, target, null, reason, d);
    say("stopped, needs a person: " + TerminalText.escape(reason) + " ("+ inForce + " delta(s) in force, " + reverted + " reverted)");
    say("next: " + next);
    say("task: " + task + " in " + followUps.queue().file());
    say("journal: " + journal.dir().resolve("journal.md"));
    return result(ExitCodes.NEEDS_PERSON, reason);
  }

  /**
   * `--boot-check`: the plan is complete, so what was built is booted (boot.BootCheck, in-process).
   * The check goes into the session of the plan's last phase (this run's, or the newest one), which
   * links the boot investigation log. Passed: the open `boot:` tasks are ticked off, exit 0. Failed:
   * its diagnosis becomes the task `boot:<kind>` and the run stops for a person (exit 3).
   */
  private IterateResult bootCheck(PhaseStatus status) {
    IterateOptions.BootCheckStep step = opt.bootCheck();
    List<String> phases = planPhases();
    String last = phases.isEmpty() ? (target != null ? target : "plan") : phases.get(phases.size() - 1);
    Journal j = journal != null && last.equals(target) ? journal : Journal.newestOf(sessionsDir(ctx, opt.sessionsDir()), last);
    journal = j;
    if (!journals.contains(j.dir())) journals.add(j.dir());
    followUps.resolveCompleted(j, status);
    j.record("boot_check_started", null, last, null, "bq2 boot-check " + step.args(), data("args", step.args(),
        "session_root", str(step.request().sessionRoot())));
    say("plan complete; boot check: bq2 boot-check " + TerminalText.escape(step.args()));
    BootOutcome o;
    try {
      o = BootCheck.run(step.request(), out);
    } catch (Bq2Exception e) {
      // QEMU or firmware missing (3), or arguments that only now name a missing file (2): a person fixes that.
      String key = "boot:" + (e.exitCode() == ExitCodes.BAD_INPUT ? "bad-input" : "setup");
      String next = e.exitCode() == ExitCodes.BAD_INPUT ? "fix the --boot-check arguments (" + e.getMessage() + ")" : e.getMessage();
      followUps.queue().register(key, "boot check could not run: " + e.getMessage(), FollowUps.source(j));
      stopped(j, null, last, key, "boot check could not run: " + e.getMessage(), next + "; then `bq2 iterate --boot-check "
          + shellQuote(step.args()) + "`", data("exit_code", e.exitCode()));
      throw e;
    }
    Path bootDir = Path.of(o.sessionDir());
    Path bootJournal = bootDir.resolve("journal.md");
    String bootSource = FollowUps.sourceOf(bootDir);
    BootOutcome.Diagnosis d = o.diagnosis();
    // journal.md links the investigation log relative to itself: both folders move together (a repo's session/).
    String link = j.dir().toAbsolutePath().normalize().relativize(bootJournal.toAbsolutePath().normalize()).toString();
    // The tasks a pass ticks off are journaled before the check itself, which stays the session's last word.
    if (o.passed()) {
      int n = 0;
      for (dev.bq2.tasks.Task t : followUps.queue().open("boot:")) {
        String how = "resolved by session " + bootSource + " (boot check passed: " + o.verdict() + ")";
        if (followUps.queue().resolve(t.key(), how)) {
          n++;
          j.record("task_resolved", null, last, null, t.text(), data("key", t.key(), "how", how,
              "queue", followUps.queue().file().toString()));
        }
      }
      journalBootCheck(j, last, o, link);
      sayResolved(n);
      say("boot check passed: " + TerminalText.escape(o.verdict()) + "; investigation log " + bootJournal);
      return result(ExitCodes.OK, "plan complete; boot check passed");
    }
    journalBootCheck(j, last, o, link);
    String kind = d == null || d.kind() == null ? "failed" : d.kind();
    String key = "boot:" + kind;
    String fix = d == null || d.fix() == null ? "read the investigation log" : d.fix();
    followUps.queue().register(key, (d == null || d.likelyCause() == null ? o.verdict() : d.likelyCause()) + ": " + fix, bootSource);
    return stopped(j, null, last, key, "boot check failed: " + o.verdict(), "read the boot investigation log " + bootJournal
        + "; " + fix + "; then `bq2 iterate --boot-check " + shellQuote(step.args()) + "` boots it again",
        data("boot_journal", bootJournal.toString(), "boot_journal_link", link, "boot_session", o.sessionDir()));
  }

  /** The `boot_check` event: the verdict, and where its investigation log is (absolute, and relative for journal.md). */
  private static void journalBootCheck(Journal j, String phase, BootOutcome o, String link) {
    Path bootDir = Path.of(o.sessionDir());
    BootOutcome.Diagnosis d = o.diagnosis();
    j.record("boot_check", null, phase, null, (o.passed() ? "passed: " : "failed: ") + o.verdict() + " (investigation log "
        + bootDir.resolve("journal.md") + ")", data("passed", o.passed(), "verdict", o.verdict(), "kind", d == null ? null : d.kind(),
            "accel", o.accel(), "boot_session", o.sessionDir(), "boot_journal", bootDir.resolve("journal.md").toString(),
            "boot_journal_link", link, "outcome", bootDir.resolve(BootOutcome.FILE).toString()));
  }

  /** One shell word: a command people copy from the journal must mean what it says. */
  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private List<String> planPhases() {
    try {
      return PlanFiles.readPlan(layout.plan()).phaseNames();
    } catch (RuntimeException unreadable) {
      return List.of();
    }
  }

  /** A failure's follow-up key part: its signature, short (the same failure is the same task). */
  private static String failureKey(Diagnosis d) {
    String sig = d.signature();
    return sig == null || sig.isBlank() ? d.failureClass().name().toLowerCase() : sig.substring(0, Math.min(12, sig.length()));
  }

  private void sayResolved(int n) {
    if (n > 0) say(n + " task(s) of the task queue done now, ticked off in " + followUps.queue().file());
  }

  private IterateResult result(int code, String reason) {
    return new IterateResult(code, reason, List.copyOf(journals), iterationsThisRun, applied, reverted,
        TriedDeltas.inForce(layout.overridesHistory()).size());
  }

  /**
   * `next_phase` and friends. Our own status is computed in-process (same code as
   * `bq2 sysroot-status`), which saves a JVM start per iteration; anything else is run.
   */
  private PhaseStatus status() throws InterruptedException {
    if (ctx.status().kind() == ToolCommand.Kind.OURS) {
      return Status.compute(layout, true);
    }
    return new StatusProbe().probe(ctx.statusArgv(), ctx.toolCwd());
  }

  /** Where session journals go: {@code chosen} when given, else the repo's `session/`, else under the rootfs. */
  public static Path sessionsDir(Context ctx, Path chosen) {
    if (chosen != null) return chosen;
    if (ctx.repo() != null) return ctx.repo().resolve("session");
    return ctx.layout().rootfs().resolve("var/lib/sysroot-build-sessions");
  }

  static String describe(Proposal p) {
    if (p == null) return "(none)";
    return p.phase() + (p.step() == null ? "" : "/" + p.step()) + ": " + p.summary();
  }


  /**
   * Why a runner stopped without a report (bad input: a changed plan, bad overrides), from the
   * end of its log: its last `bq2: ` error line, else its last line. Reads at most 16 KiB.
   */
  static String lastWords(Path log) {
    try (SeekableByteChannel ch = Files.newByteChannel(log)) {
      long size = ch.size();
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 16 * 1024));
      ch.position(size - buf.capacity());
      while (buf.hasRemaining() && ch.read(buf) > 0) { }
      List<String> lines = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)
          .lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
      if (lines.isEmpty()) return null;
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith("bq2: ")) return lines.get(i);
      }
      return lines.get(lines.size() - 1);
    } catch (IOException e) {
      return null;
    }
  }

  /** The first decisive line of the excerpt (the compiler's or linker's own words), indented. */
  /** The line that caused the exit when the diagnosis found one, else the first decisive line. */
  private static String firstLine(Diagnosis d) {
    if (d.cause() != null && !d.cause().isBlank()) return "\n    " + TerminalText.escape(d.cause().strip());
    return d.excerpt().stream().filter(LogExcerpt::isDecisive).findFirst()
        .or(() -> d.excerpt().stream().filter(l -> !l.isBlank()).reduce((a, b) -> b))
        .map(l -> "\n    " + TerminalText.escape(l.strip())).orElse("");
  }


  private static double secondsSince(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
  }

  private static String str(Path p) {
    return p == null ? null : p.toString();
  }

  /**
   * One line of ours to the terminal. Text from builds and assistants is escaped where it is
   * put in (so its line breaks cannot fake lines of ours); this catches any escape left over.
   */
  private void say(String line) {
    // What we say quotes build output (the failing line, errors): no secrets on the terminal or in
    // the detached autopilot's log either.
    String text = "iterate: " + TerminalText.escapeLines(redactor.redact(line));
    out.println(opt.terminal() ? Screen.stdout().paint(text) : text);
    out.flush();
  }

}
