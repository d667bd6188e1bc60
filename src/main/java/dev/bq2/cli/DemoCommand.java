package dev.bq2.cli;

import dev.bq2.Screen;
import dev.bq2.annotate.BackAnnotator;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.autopilot.IterateOptions;
import dev.bq2.autopilot.IterateResult;
import dev.bq2.demo.DemoWriter;
import dev.bq2.json.Json;
import dev.bq2.plan.PlanFiles;
import dev.bq2.propose.RuleProposer;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `bq2 demo`: the whole autopilot loop on an embedded rootfs and builder repo, offline. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Write a self-contained demo (rootfs + builder repo) and run the autopilot on it to completion.",
        "Offline, with the built-in rules. Rerunning starts fresh."})
public class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "bq2-demo", description = "Where to write the demo (default ./${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--jobs", paramLabel = "N", description = "Parallel make jobs for the runner.")
  Integer jobs;

  @Option(names = "--back-annotate",
      description = "Then fold the overrides into the demo repo's plan spec, commit, and rebuild from scratch to prove it.")
  boolean backAnnotate;

  @Option(names = "--write-only", description = "Only write the demo tree (to try `bq2 iterate --rootfs DIR/rootfs --repo DIR/repo` by hand).")
  boolean writeOnly;

  @Override
  public Integer call() throws InterruptedException {
    DemoWriter.Demo demo = DemoWriter.write(dir);
    System.out.println("demo: wrote " + demo.rootfs() + " (rootfs) and " + demo.repo() + " (builder repo, git)");
    if (writeOnly) {
      System.out.println("demo: try `bq2 iterate --rootfs " + demo.rootfs() + " --repo " + demo.repo() + " --all-phases`");
      return 0;
    }
    Context ctx = new ContextDetector().rootfs(demo.rootfs()).repo(demo.repo()).detect();
    List<String> runnerArgs = jobs == null ? List.of() : List.of("--jobs", String.valueOf(jobs));
    IterateOptions opt = new IterateOptions(null, 3, 30, null, true, runnerArgs, System.out, Screen.stdout().terminal(), null);
    IterateResult r = new Autopilot(ctx, List.of(RuleProposer.withDefaults()), opt).run();
    System.out.println();
    System.out.println("demo: " + r.reason() + " after " + r.iterations() + " runner launch(es); " + r.deltas()
        + ", all from the built-in rules");
    System.out.println("demo: overrides now in force (" + ctx.layout().overrides() + "):");
    System.out.print(Json.pretty(PlanFiles.readOverrides(ctx.layout().overrides())));
    System.out.println("demo: history of every delta: " + ctx.layout().overridesHistory());
    for (Path j : r.journals()) System.out.println("demo: journal " + j.resolve("journal.md"));
    if (backAnnotate && r.exitCode() == 0) {
      System.out.println();
      return new BackAnnotator(new BackAnnotator.Options(demo.repo(), null, null, List.of(), null, null, true, null, null,
          null, System.out, Screen.stdout().terminal())).run(ctx).exitCode();
    }
    return r.exitCode();
  }
}
