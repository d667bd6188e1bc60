package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.Screen;
import dev.bq2.annotate.BackAnnotator;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.autopilot.IterateOptions;
import dev.bq2.autopilot.IterateResult;
import dev.bq2.demo.DemoWriter;
import dev.bq2.demo.DemoStory;
import dev.bq2.propose.RuleProposer;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `bq2 demo`: the whole autopilot loop on an embedded rootfs and builder repo, offline. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Write a self-contained demo (rootfs + builder repo) and run the autopilot on it to completion.",
        "Offline, with the built-in rules. Rerunning starts fresh."})
public class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "bq2-demo", description = "Where to write the demo (default ./${DEFAULT-VALUE}).")
  Path dir;

  /** `bq2 demo DIR`, as `git clone URL DIR` takes it: the same as `--dir DIR`. */
  @Parameters(arity = "0..1", paramLabel = "DIR", description = "Where to write the demo (the same as --dir DIR).")
  Path positionalDir;

  @Option(names = "--jobs", paramLabel = "N", description = "Parallel make jobs for the runner.")
  Integer jobs;

  @Option(names = "--back-annotate",
      description = "Then fold the overrides into the demo repo's plan spec, commit, and rebuild from scratch to prove it.")
  boolean backAnnotate;

  @Option(names = "--write-only", description = "Only write the demo tree (to try `bq2 iterate --rootfs DIR/rootfs --repo DIR/repo` by hand).")
  boolean writeOnly;

  @Option(names = {"-v", "--verbose"},
      description = "Show the autopilot's and the runner's every line here too (they always go to DIR/demo.log).")
  boolean verbose;

  @Override
  public Integer call() throws InterruptedException, IOException {
    if (positionalDir != null) {
      if (spec.commandLine().getParseResult().hasMatchedOption("--dir") && !positionalDir.equals(dir)) {
        throw Bq2Exception.badInput("two folders given (DIR " + positionalDir + " and --dir " + dir + "); give one");
      }
      dir = positionalDir;
    }
    DemoWriter.Demo demo = DemoWriter.write(dir);
    System.out.println("demo: wrote " + demo.rootfs() + " (rootfs) and " + demo.repo() + " (builder repo, git)");
    if (writeOnly) {
      System.out.println("demo: try `bq2 iterate --rootfs " + demo.rootfs() + " --repo " + demo.repo() + " --all-phases`");
      return 0;
    }
    Context ctx = new ContextDetector().rootfs(demo.rootfs()).repo(demo.repo()).detect();
    List<String> runnerArgs = jobs == null ? List.of() : List.of("--jobs", String.valueOf(jobs));
    Path logFile = dir.toAbsolutePath().normalize().resolve("demo.log");
    IterateResult r;
    // The whole output goes to the log file; the screen gets the story (or, with --verbose, both).
    try (OutputStream file = Files.newOutputStream(logFile)) {
      boolean terminal = verbose && Screen.stdout().terminal();
      PrintStream out = new PrintStream(verbose ? new Tee(file, System.out) : file, true, StandardCharsets.UTF_8);
      if (!verbose) System.out.println("demo: running the autopilot on the demo plan (every line goes to " + logFile + ")");
      IterateOptions opt = new IterateOptions(null, 3, 30, null, true, runnerArgs, out, terminal, null);
      r = new Autopilot(ctx, List.of(RuleProposer.withDefaults()), opt).run();
      out.flush();
    }
    if (verbose) System.out.println();
    for (String line : DemoStory.lines(r.journals())) System.out.println(line);
    System.out.println("demo: " + r.reason() + " after " + r.iterations() + " runner launch(es); " + r.deltas()
        + ", all from the built-in rules");
    System.out.println("demo: overrides in force: " + ctx.layout().overrides() + " (explained by `bq2 overrides show --rootfs "
        + demo.rootfs() + "`)");
    for (Path j : r.journals()) System.out.println("demo: journal " + j.resolve("journal.md"));
    System.out.println("demo: morning summary `bq2 summary --rootfs " + demo.rootfs() + " --repo " + demo.repo() + "`");
    System.out.println("demo: full log " + logFile);
    if (backAnnotate && r.exitCode() == 0) {
      System.out.println();
      return new BackAnnotator(new BackAnnotator.Options(demo.repo(), null, null, List.of(), null, null, true, null, null,
          null, System.out, Screen.stdout().terminal())).run(ctx).exitCode();
    }
    return r.exitCode();
  }

  /** Writes to the log file and to the screen (--verbose). */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
