package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.WriteFailure;
import dev.bq2.runner.Interrupts;
import dev.bq2.namespace.Bind;
import dev.bq2.runner.NamespaceMode;
import dev.bq2.runner.NamespacePolicy;
import dev.bq2.runner.RunLog;
import dev.bq2.runner.RunOptions;
import dev.bq2.runner.Runner;
import dev.bq2.runner.Selection;
import dev.bq2.runner.strategy.Strategies;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import dev.bq2.state.StatusCache;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 sysroot-runner`: run the plan's phases and steps, resuming from the state file. */
@Command(
    name = "sysroot-runner",
    mixinStandardHelpOptions = true,
    description = {
      "Run the build plan (with overrides) phase by phase, step by step, skipping completed steps.",
      "A failing step writes a failure report and stops the run (exit 1)."
    })
public class SysrootRunnerCommand implements Callable<Integer> {
  @Mixin RootfsOptions paths;

  @Option(names = "--phase", paramLabel = "NAME|all", defaultValue = Selection.ALL, completionCandidates = PlanNames.Phases.class,
      description = "Run only this phase (exact name), or all phases (default).")
  String phase;

  @Option(names = "--package", paramLabel = "NAME", completionCandidates = PlanNames.Steps.class,
      description = "Run only steps with this name (repeatable), across the selected phases.")
  List<String> packages = new ArrayList<>();

  @Option(names = "--dry-run", description = "Print the steps that would run as JSON; write nothing.")
  boolean dryRun;

  @Option(names = "--no-resume", description = "Run completed steps again; do not read or write the state file.")
  boolean noResume;

  @Option(names = "--no-report", description = "Do not write failure reports (step logs are still kept).")
  boolean noReport;

  @Option(names = "--no-overrides", description = "Ignore the overrides file.")
  boolean noOverrides;

  @Option(names = "--jobs", paramLabel = "N", description = "Parallel jobs for make/cmake (default: available processors).")
  Integer jobs;

  @Option(names = "--no-clean-on-change",
      description = "Do not restore the tree of a step whose definition changed since its last attempt (clean_build still does).")
  boolean noCleanOnChange;

  @Option(names = "--accept-plan-change",
      description = "Accepted for compatibility; changes nothing: a changed plan always keeps the progress of the steps it did not change.")
  boolean acceptPlanChange;

  @Option(names = "--namespace-mode", paramLabel = "enter|refuse|in-place", defaultValue = "enter",
      converter = ModeConverter.class,
      description = {"seed/bq2 phases: run their commands inside the rootfs (enter, the default),",
          "refuse with a report, or run them on the host on purpose (in-place)."})
  NamespaceMode namespaceMode;

  @Option(names = "--bind", paramLabel = "SRC:DST",
      description = "Bind host folder SRC at DST inside the seed/bq2 rootfs on entry (repeatable).")
  List<String> binds = new ArrayList<>();

  @Option(names = "--echo", negatable = true,
      description = "Echo command output to the console with a [phase/step] prefix (default: when a terminal is attached).")
  Boolean echo;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final class ModeConverter implements CommandLine.ITypeConverter<NamespaceMode> {
    @Override
    public NamespaceMode convert(String value) {
      return NamespaceMode.parse(value);
    }
  }

  /**
   * Leaves `sysroot-status`'s answer in its cache, so that the status a person or a script asks
   * for right after a run is printed by the launcher without a JVM. Never fails the run.
   */
  private static void keepStatus(RootfsLayout layout) {
    if (StatusCache.path(layout) == null) return;
    try {
      StatusCache.renderAndKeep(layout, SysrootStatusCommand.launcherJar(), Bq2.configFile(),
          () -> SysrootStatusCommand.text(Status.compute(layout, true)) + "\n", () -> true);
    } catch (RuntimeException e) {
      // status will say what is wrong when someone asks
    }
  }

  @Override
  public Integer call() {
    if (jobs != null && jobs < 1) throw Bq2Exception.badInput("--jobs " + jobs + ": must be at least 1");
    RunOptions options = new RunOptions(paths.layout(), phase, packages, dryRun, !noResume, !noReport,
        !noOverrides, jobs == null ? 0 : jobs, acceptPlanChange, namespaceMode, echo, null, null, null, !noCleanOnChange);
    try (Interrupts interrupts = Interrupts.install()) {
      NamespacePolicy policy = NamespacePolicy.of(namespaceMode, options.layout().rootfs(),
          binds.stream().map(Bind::parse).toList());
      // Only a dry run: the autopilot reads a real run's markers, whatever LOG_LEVEL it inherits.
      boolean logLines = !(dryRun && "NONE".equalsIgnoreCase(System.getenv("LOG_LEVEL")));
      int rc = new Runner(options, new RunLog(spec.commandLine().getOut(), logLines), interrupts, policy,
          Strategies.catalog()).run();
      if (!dryRun && !noResume && !noOverrides) keepStatus(options.layout());
      return rc;
    } catch (Bq2Exception e) {
      // A file of ours that cannot be written (full or read-only disk) is no build failure: exit 3.
      Bq2Exception w = WriteFailure.fromWrite(e);
      throw w == null ? e : w;
    } catch (UncheckedIOException e) {
      throw WriteFailure.fromUnchecked(e);
    }
  }
}
