package dev.bq2.runner;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.redact.Redactor;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import dev.bq2.state.FailureRef;
import dev.bq2.state.Fingerprints;
import dev.bq2.state.Progress;
import dev.bq2.state.StateStore;
import dev.bq2.state.Status;
import dev.bq2.state.StepRef;
import dev.bq2.state.Timestamps;
import dev.bq2.supervise.RunnerLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * `sysroot-runner`: runs the selected phases and steps of the override-resolved plan in order,
 * skipping completed steps, recording each success in the state file and stopping at the first
 * failure with a failure report (docs/formats.md#upstream-formats).
 *
 * <p>Everything that can be checked before a step runs (plan, overrides, names, state) is
 * checked first; those problems are exit 2 and nothing runs.
 */
public final class Runner {
  private static final int TAIL_LINES = 60;

  private final RunOptions o;
  private final RunLog log;
  private final Interrupts interrupts;
  private final NamespacePolicy namespaces;
  private final StateStore store;
  private final Strategy.Catalog strategies;
  private BuildState state;
  private BuildPlan resolved;
  private final PristineTrees pristine;
  private TreeRestore trees;

  /** @param strategies the strategies steps name (`runner.strategy.Strategies.catalog()`) */
  public Runner(RunOptions options, RunLog log, Interrupts interrupts, NamespacePolicy namespaces,
      Strategy.Catalog strategies) {
    this.o = options;
    this.strategies = strategies;
    this.log = log;
    this.interrupts = interrupts;
    this.namespaces = namespaces;
    this.store = new StateStore(options.layout().state());
    this.pristine = new PristineTrees(options.layout().pristineDir());
  }

  public Runner(RunOptions options, RunLog log, Interrupts interrupts, Strategy.Catalog strategies) {
    this(options, log, interrupts, NamespacePolicy.of(options.namespaceMode(), options.layout().rootfs(), List.of()),
        strategies);
  }

  /** One `{"phase": ..., "step": ...}` object of the dry-run output (docs/formats.md#upstream-formats). */
  @JsonPropertyOrder({"phase", "step"})
  record DryRunEntry(BuildPhase phase, BuildStep step) {}

  /** The outcome of one step: null error means success. */
  /** @param outputOffset where the failed command's output starts in the step log (report `output_offset`) */
  private record Outcome(String error, List<String> command, Integer exitCode, boolean interrupted, Long outputOffset) {
    static final Outcome OK = new Outcome(null, null, null, false, null);
  }

  /**
   * Runs; returns the exit code (0 done, 1 a step failed, 130/143 interrupted). Holds the
   * rootfs's runner lock meanwhile (exit 2 while another runner holds it); a dry run needs none.
   */
  public int run() {
    // Inputs are read and checked before the lock is taken: bad input is exit 2 with nothing
    // written, not even a lock file.
    Inputs in = readInputs();
    if (o.dryRun()) return runHoldingLock(in);
    try (RunnerLock lock = RunnerLock.acquire(o.layout().state().toAbsolutePath().getParent())) {
      return runHoldingLock(in);
    }
  }

  /** The plan and overrides as read once, with their digests and the selected phases. */
  private record Inputs(Overrides overrides, String planDigest, String overridesDigest, List<BuildPhase> selected) {}

  private Inputs readInputs() {
    RootfsLayout layout = o.layout();
    BuildPlan plan = PlanFiles.readPlan(layout.plan());
    String planDigest = StateStore.fileDigest(layout.plan());
    Overrides overrides = Overrides.empty();
    String overridesDigest = null;
    if (o.useOverrides()) {
      overrides = PlanFiles.readOverrides(layout.overrides());
      overridesDigest = StateStore.fileDigest(layout.overrides());
    }
    resolved = OverridesApplier.apply(plan, overrides, layout.overrides());
    List<BuildPhase> selected = Selection.select(resolved, o.phase(), o.packages());
    return new Inputs(overrides, planDigest, overridesDigest, selected);
  }

  private int runHoldingLock(Inputs in) {
    Instant runStart = Instant.now();
    RootfsLayout layout = o.layout();
    Overrides overrides = in.overrides();
    List<BuildPhase> selected = in.selected();
    trees = new TreeRestore(resolved, o.cwd(), o.cacheDir(), pristine, layout.rootfs(), o.cleanOnChange(), log);
    if (o.resume()) state = loadState(in.planDigest(), in.overridesDigest());

    log.info("Running plan " + layout.plan() + " with overrides "
        + (o.useOverrides() ? layout.overrides() : "(ignored: --no-overrides)") + " (namespace=Host)");
    if (o.useOverrides() && !overrides.isEmpty()) log.info("Applying build plan overrides from " + layout.overrides());

    if (o.dryRun()) {
      for (BuildPhase phase : selected) {
        List<BuildStep> todo = todo(phase);
        BuildPhase shown = phase.withSteps(todo);
        for (BuildStep step : todo) log.raw(Json.pretty(new DryRunEntry(shown, step)));
      }
      log.info("Completed sysroot run in " + RunLog.duration(Duration.between(runStart, Instant.now())));
      return ExitCodes.OK;
    }
    if (state != null) store.save(state);

    try {
      for (BuildPhase phase : selected) {
        int rc = runPhase(phase);
        if (rc != ExitCodes.OK) {
          log.info("Failed sysroot run in " + RunLog.duration(Duration.between(runStart, Instant.now())));
          return rc;
        }
      }
    } finally {
      pruneQuietly();
    }
    log.info("Completed sysroot run in " + RunLog.duration(Duration.between(runStart, Instant.now())));
    return ExitCodes.OK;
  }

  /** The pristine store's leftovers go before the runner exits, an interrupted wait included. */
  private void pruneQuietly() {
    try {
      pristine.pruneEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Loads the state and drops the completed steps whose effective definition changed (with the
   * later steps of their phase), printing one line per rerun step and why. A changed plan is
   * not refused: a regenerated plan (`sysroot-plan-write`, `sysroot-builder`) keeps the progress
   * of every step it did not change, as the existing tool keeps all of it.
   */
  private BuildState loadState(String planDigest, String overridesDigest) {
    boolean existed = store.exists();
    BuildState s = store.load();
    boolean planChanged = s.planDigest() != null && !s.planDigest().equals(planDigest);
    boolean overridesChanged = existed && o.useOverrides() && !Objects.equals(s.overridesDigest(), overridesDigest);
    String cause = planChanged && overridesChanged ? "plan and overrides changed"
        : planChanged ? "plan changed"
        : overridesChanged ? "overrides changed"
        : !o.useOverrides() ? "overrides not applied (--no-overrides)"
        : "definition changed";
    Fingerprints.Check check = Fingerprints.check(resolved, s);
    if (planChanged || overridesChanged || !check.reruns().isEmpty()) {
      for (String line : check.lines(cause)) log.info(line);
    }
    return check.state().withDigests(planDigest, o.useOverrides() ? overridesDigest : s.overridesDigest());
  }

  private boolean completed(BuildPhase phase, BuildStep step) {
    return state != null && state.progress().isCompleted(phase.name(), step.name());
  }

  private List<BuildStep> todo(BuildPhase phase) {
    return phase.steps().stream().filter(s -> !completed(phase, s)).toList();
  }

  private int runPhase(BuildPhase phase) {
    List<BuildStep> todo = todo(phase);
    if (todo.isEmpty()) {
      for (BuildStep s : phase.steps()) log.info("Skipping previously completed " + phase.name() + "/" + s.name());
      return ExitCodes.OK;
    }
    Instant phaseStart = Instant.now();
    log.info("**** " + phase.description() + " ****");
    log.info("Executing phase " + phase.name() + " (namespace=" + phase.namespace() + ")");
    NamespacePolicy.Entry entry = null;
    StepFailedException setupError = null;
    try {
      entry = namespaces.enter(phase);
      if (entry.view() != null) log.info("Entering " + entry.view().namespace() + " rootfs " + entry.view().root());
      if (phase.destdir() != null && !phase.destdir().isEmpty()) {
        Path d = entry.view() == null ? o.cwd().resolve(phase.destdir())
            : entry.view().hostPath(phase.destdir(), entry.view().root());
        try {
          Files.createDirectories(d);
        } catch (IOException e) {
          throw new StepFailedException("Cannot create phase destdir " + d + ": " + e.getMessage());
        }
      }
    } catch (StepFailedException e) {
      setupError = e;
    }
    if (state != null) {
      state = state.withProgress(state.progress().withCurrentPhase(phase.name()));
      store.save(state);
    }
    log.info("Executing " + todo.size() + " build steps");
    for (BuildStep step : phase.steps()) {
      if (completed(phase, step)) {
        log.info("Skipping previously completed " + phase.name() + "/" + step.name());
        continue;
      }
      if (interrupts.requested()) {
        log.warn(interrupts.message() + "; stopping before " + phase.name() + "/" + step.name());
        log.info("Failed phase " + phase.name() + " in " + RunLog.duration(Duration.between(phaseStart, Instant.now())));
        return interrupts.exitCode();
      }
      Instant started = Instant.now();
      Path logFile = o.layout().logDir().resolve(ReportFiles.logName(started, phase.name(), step.name()));
      Outcome out;
      try (ProcessCommandRunner commands = new ProcessCommandRunner(logFile, phase.name() + "/" + step.name(),
          o.echoOutput(), log, interrupts, entry == null ? null : entry.view(), o.grace())) {
        out = runStep(phase, step, commands, setupError, entry == null ? null : entry.view());
        if (out.error() != null) commands.note("Step failed: " + out.error());
      }
      if (out.error() != null) {
        fail(phase, step, out, started, logFile);
        log.info("Failed phase " + phase.name() + " in " + RunLog.duration(Duration.between(phaseStart, Instant.now())));
        return out.interrupted() ? interrupts.exitCode() : ExitCodes.STEP_FAILED;
      }
      succeed(phase, step);
    }
    if (state != null) {
      state = state.withProgress(state.progress().withCurrentPhase(Status.next(resolved, state.progress()).phase()));
      store.save(state);
    }
    log.info("All build steps completed");
    log.info("Completed phase " + phase.name() + " in " + RunLog.duration(Duration.between(phaseStart, Instant.now())));
    return ExitCodes.OK;
  }

  private Outcome runStep(BuildPhase phase, BuildStep step, ProcessCommandRunner commands, StepFailedException setupError,
      RootView view) {
    // Inside a rootfs the workdir is a path there (and `/` without one, as after the tool's entry).
    Path cwd = view != null ? (step.workdir() == null ? view.root() : view.hostPath(step.workdir(), view.root()))
        : step.workdir() == null ? o.cwd() : o.cwd().resolve(step.workdir());
    String where = step.workdir() == null ? "(no chdir)" : cwd.toString();
    log.info("Building " + step.name() + " in " + where + " (phase=" + phase.name() + ")");
    commands.note("Step " + phase.name() + "/" + step.name() + " (strategy " + step.strategy() + ") in " + where);
    try {
      if (setupError != null) throw setupError;
      if (step.workdir() != null && !Files.isDirectory(cwd)) {
        throw new StepFailedException("Workdir " + cwd + " of step " + phase.name() + "/" + step.name()
            + " does not exist; create it (an earlier extract step usually does) or fix workdir in the plan or overrides");
      }
      Strategy strategy = strategies.find(step.strategy()).orElseThrow(() -> new StepFailedException(
          "Unknown build strategy " + step.strategy() + " in step " + phase.name() + "/" + step.name()
              + "; known strategies: " + String.join(", ", strategies.names())));
      Map<String, String> stepEnv = stepEnv(phase, step);
      Map<String, String> env = new LinkedHashMap<>(System.getenv());
      env.putAll(stepEnv);
      log.info("Starting " + step.strategy() + " build for " + step.name() + " in " + where + " (cpus=" + o.jobs() + ")");
      // The tree is restored before patches, so they apply to the pristine tree.
      boolean cleanFallback = prepareTree(phase, step, cwd, view, commands);
      StepContext ctx = new StepContext(phase, step, cwd, env, stepEnv,
          step.installPrefix() != null ? step.installPrefix() : phase.installPrefix(),
          step.destdir() != null ? step.destdir() : phase.destdir(),
          o.jobs(), o.resume(), o.cacheDir(), commands, view, cleanFallback);
      interrupts.enterStrategy();
      try {
        Patches.applyAll(ctx);
        strategy.execute(ctx);
      } finally {
        interrupts.leaveStrategy();
      }
      commands.note("Finished " + step.name());
      log.info("Finished " + step.name());
      return Outcome.OK;
    } catch (StepFailedException e) {
      return new Outcome(e.getMessage(), e.command(), e.exitCode(), false, e.outputOffset());
    } catch (InterruptedException e) {
      String msg = interrupts.requested() ? interrupts.message() : "Interrupted";
      return new Outcome(msg, null, null, true, null);
    } catch (RuntimeException e) {
      // A strategy bug or an I/O error surfaced unchecked: still a step failure with a report.
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Outcome(msg, null, null, false, null);
    }
  }

  /**
   * Takes the pristine copy or restores the tree ({@link TreeRestore}), then records the
   * fingerprint of this attempt, so the next attempt knows whether the definition changed.
   * Returns whether the strategy must clean in place (nothing could restore the tree).
   */
  private boolean prepareTree(BuildPhase phase, BuildStep step, Path cwd, RootView view, ProcessCommandRunner commands)
      throws StepFailedException, InterruptedException {
    if (!TreeRestore.applies(step)) return step.isCleanBuild();
    String fingerprint = Fingerprints.of(phase, step);
    // A runner killed during a first attempt left the attempt in the pristine copy only (below).
    String last = state == null ? null : state.attemptFingerprint(phase.name(), step.name());
    if (state != null && last == null) last = pristine.attemptOf(phase.name(), step.name(), cwd);
    boolean fallback;
    interrupts.enterStrategy();
    try {
      fallback = trees.prepare(phase, step, cwd, view, commands, fingerprint, last, state != null);
    } finally {
      interrupts.leaveStrategy();
    }
    if (interrupts.requested()) throw new InterruptedException();
    if (state != null && !fingerprint.equals(last)) {
      state = Fingerprints.recordAttempt(state, phase, step);
      // Saved before the build, so a killed attempt still counts; a pristine copy just taken
      // already records it (one atomic write a step fewer), and the next save carries it.
      if (!fingerprint.equals(pristine.attemptOf(phase.name(), step.name(), cwd))) store.save(state);
    }
    return fallback;
  }

  /** Phase env overlaid with step env: what a step adds to the process env (the report's effective_env). */
  private static Map<String, String> stepEnv(BuildPhase phase, BuildStep step) {
    Map<String, String> env = new LinkedHashMap<>(phase.env());
    env.putAll(step.env());
    return env;
  }

  private void succeed(BuildPhase phase, BuildStep step) {
    if (TreeRestore.applies(step)) {
      try {
        pristine.remove(phase.name(), step.name());
      } catch (StepFailedException e) {
        log.warn(e.getMessage());
      }
    }
    if (state == null) return;
    Progress p = state.progress().withCompleted(phase.name(), step.name(),
        new StepRef(phase.name(), step.name(), Timestamps.state(Instant.now())));
    FailureRef f = p.lastFailure();
    if (f != null && f.phase().equals(phase.name()) && f.step().equals(step.name())) p = p.withLastFailure(null);
    state = Fingerprints.record(state.withProgress(p), phase, step);
    store.save(state);
  }

  private void fail(BuildPhase phase, BuildStep step, Outcome out, Instant started, Path logFile) {
    Instant at = Instant.now();
    log.error(out.error());
    // The report, the state and everything made from them carry build output; the values of
    // secret-named variables (process env and this step's env) and key-shaped strings are removed.
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    env.putAll(stepEnv(phase, step));
    Redactor redactor = new Redactor(env);
    String error = redactor.redact(out.error());
    List<String> tail = LogTail.last(logFile, TAIL_LINES, out.outputOffset() == null ? 0 : out.outputOffset());
    tail = tail == null ? null : tail.stream().map(redactor::redact).toList();
    FailureReport report = new FailureReport(1, Timestamps.compact(at),
        new FailureReport.ReportPhase(phase.name(), phase.namespace(), phase.installPrefix(), phase.destdir(), phase.env()),
        new FailureReport.ReportStep(step.name(), step.strategy(), step.workdir(), step.installPrefix(), step.destdir(),
            step.env(), stepEnv(phase, step), step.configureFlags(), step.patches()),
        out.command(), out.exitCode(), logFile.toString(), error, tail,
        Duration.between(started, at).toNanos() / 1e9, Timestamps.compact(started), out.outputOffset());
    Path reportPath = null;
    if (o.report()) {
      try {
        reportPath = ReportFiles.write(o.layout().reportDir(), at, report);
        log.error("Wrote build failure report to " + reportPath);
      } catch (Bq2Exception e) {
        log.warn("Failed to write build failure report: " + e.getMessage());
      }
    }
    if (state != null) {
      FailureRef ref = new FailureRef(phase.name(), step.name(), Timestamps.state(at), error,
          reportPath == null ? null : reportPath.toString());
      state = state.withProgress(state.progress().withCurrentPhase(phase.name()).withLastFailure(ref));
      store.save(state);
    }
  }
}
