package dev.bq2.annotate;

import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import dev.bq2.state.StateStore;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.LogFollower;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.SupervisedRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * `--verify-from-scratch`: the back-annotated phases run again with no overrides and no state,
 * each in the background under {@link BackgroundRunner} exactly as the autopilot runs them
 * (detached, logged, its exit recorded even if we die), one after the other in plan order. The
 * build reproduces when every phase run exits 0 and the state then shows all its steps complete.
 */
final class FromScratch {
  record Outcome(boolean reproduced, String detail) {}

  private final Context ctx;
  private final PrintStream out;
  private final boolean terminal;

  FromScratch(Context ctx, PrintStream out, boolean terminal) {
    this.ctx = ctx;
    this.out = out;
    this.terminal = terminal;
  }

  Outcome run(List<String> phases) throws InterruptedException {
    RootfsLayout layout = ctx.layout();
    if (Files.exists(layout.overrides()) || Files.exists(layout.state())) {
      return new Outcome(false, "not from scratch: " + (Files.exists(layout.overrides()) ? layout.overrides() : layout.state())
          + " exists");
    }
    BackgroundRunner runner = BackgroundRunner.forRootfs(layout);
    int n = 0;
    for (String phase : phases) {
      SupervisedRun run = runner.start(phase, ctx.runnerArgv(phase), ctx.toolCwd(), Map.of("LOG_LEVEL", "INFO"));
      out.println("back-annotate: from scratch: phase " + phase + " (runner pid " + run.record().pid() + ", log "
          + run.record().log() + ")");
      RunOutcome o;
      try {
        LogFollower f = new LogFollower(run.log(), 0, out, terminal, Instant.parse(run.record().startedAt()));
        f.attempt(++n);
        o = f.follow(run);
      } catch (IOException e) {
        o = run.awaitExit();
      }
      runner.forget(run.record());
      if (!o.succeeded()) {
        return new Outcome(false, "phase " + phase + " failed from scratch: " + o.detail());
      }
      BuildState state = new StateStore(layout.state()).load();
      List<String> missing = dev.bq2.plan.PlanFiles.readPlan(layout.plan()).phase(phase).orElseThrow().steps().stream()
          .map(s -> s.name()).filter(s -> !state.progress().isCompleted(phase, s)).toList();
      if (!missing.isEmpty()) {
        return new Outcome(false, "phase " + phase + ": the runner exited 0 but step(s) " + String.join(", ", missing)
            + " are not complete in " + layout.state());
      }
    }
    return new Outcome(true, "phase(s) " + String.join(", ", phases) + " complete from scratch without overrides");
  }
}
