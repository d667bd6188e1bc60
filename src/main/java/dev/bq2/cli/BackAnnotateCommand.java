package dev.bq2.cli;

import dev.bq2.annotate.BackAnnotator;
import dev.bq2.rootfs.Context;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 back-annotate`: fold the proven overrides into the builder, verify, commit once, start clean. */
@Command(name = "back-annotate", mixinStandardHelpOptions = true,
    description = {"Fold the proven overrides into the builder, verify, commit once, archive overrides and state.",
        "A plan spec is merged; a code builder is edited by the assistant.",
        "The regenerated plan must equal plan + overrides and the --check commands must pass.",
        "Then the plan is replaced, one commit is made and the overrides, history and state are archived into the session folder.",
        "Here 1 means not reproduced from scratch (--verify-from-scratch), 2 refused (phase not complete with these "
            + "overrides, uncommitted changes, bad input) and 3 verification failed (everything left as it was)."})
public class BackAnnotateCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Mixin BackAnnotateOptions annotate;

  @Mixin AssistantOptions assistant;

  @Option(names = "--session-dir", paramLabel = "DIR",
      description = "Session folders (default: <repo>/session, as iterate): archives go into the newest.")
  Path sessionDir;

  @Option(names = "--quiet", description = "Do not print the chosen rootfs and repo.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"},
      description = "Also print every rootfs and repo candidate checked (the session journal records them always).")
  boolean verbose;

  @Override
  public Integer call() throws InterruptedException {
    assistant.checkInstalled(); // before anything is detected, written or built
    Context ctx = context.detect();
    if (!quiet) (verbose ? ctx.describe() : List.of("back-annotate: " + ctx.summary())).forEach(System.out::println);
    BackAnnotator.Result r = new BackAnnotator(annotate.options(ctx.repo(), sessionDir, assistant, System.out)).run(ctx);
    return r.exitCode();
  }
}
