package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.Pager;
import dev.bq2.Screen;
import dev.bq2.TerminalText;
import dev.bq2.Tone;
import dev.bq2.autopilot.DetachedAutopilot;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.runner.LogTail;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.LogFollower;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.StepLogs;
import dev.bq2.supervise.SupervisedRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `bq2 log`: the runner's log, the build followed live (`-f`), or a finished step's log. */
@Command(name = "log", mixinStandardHelpOptions = true,
    description = {"Print the tail of the current or newest runner log; with -f follow the build live; with STEP show that step's newest log.",
        "-f prints the runner's lines and the output of the step being built (each line marked [phase/step]), "
            + "switching to the next step's log as the runner moves on, until the run ends (while an autopilot runs: until it ends). "
            + "STEP (or PHASE/STEP) is paged through $PAGER (default less -R) when the output is a terminal."})
public class LogCommand implements Callable<Integer> {
  /** Bytes of a log read back to find where a run is when `-f` starts. */
  private static final int PRIME_BYTES = 1 << 20;

  @Mixin ContextOptions context;

  @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "40", description = "How many lines (default ${DEFAULT-VALUE}).")
  int lines;

  @Option(names = {"-f", "--follow"}, description = "Follow the runner and the step being built until the run ends (Ctrl-C to stop watching; the build goes on).")
  boolean follow;

  @Parameters(arity = "0..1", paramLabel = "STEP", description = "A step, or PHASE/STEP: show its newest log.")
  String step;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (follow && step != null) throw Bq2Exception.badInput("-f follows the whole run; drop STEP (or drop -f to show " + step + "'s log)");
    if (lines < 0) throw Bq2Exception.badInput("--lines " + lines + " is negative; give a count of lines, e.g. -n 40");
    Context ctx = context.detect();
    RootfsLayout layout = ctx.layout();
    if (step != null) return showStep(layout);
    if (follow) return follow(layout);
    BackgroundRunner runner = BackgroundRunner.forRootfs(layout);
    Path log = runner.attach().map(SupervisedRun::log).or(() -> newestRunnerLog(runner.logDir()))
        .orElseThrow(() -> Bq2Exception.badInput("no runner log in " + runner.logDir() + "; start one with `bq2 iterate`"));
    printTail(System.out, Screen.stdout(), log);
    return ExitCodes.OK;
  }

  private void printTail(PrintStream out, Screen screen, Path log) {
    out.println(screen.paint("==> " + log + " <==", Tone.DIM));
    LogTail.last(log, lines).forEach(l -> out.println(screen.paint(TerminalText.escape(l), Tone.of(l))));
  }

  /**
   * Like `tail -F` on the runner log and the log of the step being built: the current run to its
   * end, then (while an autopilot holds the rootfs) each next run it starts.
   */
  private int follow(RootfsLayout layout) throws IOException, InterruptedException {
    PrintStream out = System.out;
    Screen screen = Screen.stdout();
    BackgroundRunner runner = BackgroundRunner.forRootfs(layout);
    List<Path> stepDirs = List.of(layout.logDir(), layout.reportDir());
    String followed = null;
    boolean first = true;
    boolean waitingSaid = false;
    while (true) {
      Optional<SupervisedRun> current = runner.attach();
      if (current.isPresent() && !current.get().record().log().equals(followed)) {
        SupervisedRun run = current.get();
        followed = run.record().log();
        Path log = run.log();
        Instant started = Instant.parse(run.record().startedAt());
        out.println(screen.paint("==> " + log + " <==", Tone.DIM));
        LogFollower f;
        if (first) {
          f = LogFollower.fromEnd(log, out, LogFollower.Mode.FOLLOW, screen, started, PRIME_BYTES, lines, stepDirs);
          f.printBacklog();
        } else {
          f = new LogFollower(log, 0, out, LogFollower.Mode.FOLLOW, screen, started).stepLogDirs(stepDirs);
        }
        first = false;
        waitingSaid = false;
        RunOutcome o = f.follow(run);
        out.println(screen.paint("==> " + o.detail() + " <==", o.succeeded() ? Tone.DIM : Tone.ERROR));
        out.flush();
        continue;
      }
      if (first) {
        first = false;
        Optional<Path> newest = newestRunnerLog(runner.logDir());
        if (newest.isPresent()) printTail(out, screen, newest.get());
      }
      if (!autopilotAlive(layout)) {
        if (followed == null) out.println("log: no runner is running on " + layout.rootfs() + "; `bq2 iterate` starts one");
        out.flush();
        return ExitCodes.OK;
      }
      if (!waitingSaid) {
        out.println(screen.paint("==> waiting for the autopilot's next runner <==", Tone.DIM));
        out.flush();
        waitingSaid = true;
      }
      // The autopilot is diagnosing or asking an assistant: its next runner appears in current-run.json.
      Thread.sleep(200);
    }
  }

  /** An autopilot holds the rootfs, or a detached one is starting (it takes the lock a moment later). */
  private static boolean autopilotAlive(RootfsLayout layout) {
    return AutopilotLock.liveHolder(layout.logDir()).isPresent()
        || DetachedAutopilot.current(layout).filter(r -> r.state() == SupervisedRun.State.RUNNING).isPresent();
  }

  /** A finished step's newest log, paged on a terminal. */
  private int showStep(RootfsLayout layout) throws InterruptedException {
    StepLogs.Found found = StepLogs.find(PlanFiles.readPlan(layout.plan()), layout.plan(),
        List.of(layout.logDir(), layout.reportDir()), step);
    Screen screen = Screen.stdout();
    Consumer<PrintStream> body = out -> {
      out.println(screen.paint("==> " + found.name() + ": " + found.log() + " <==", Tone.DIM));
      // Malformed UTF-8 in build output is replaced, not fatal: InputStreamReader decodes leniently.
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(found.log()), StandardCharsets.UTF_8))) {
        for (String l = r.readLine(); l != null && !out.checkError(); l = r.readLine()) out.println(TerminalText.escape(l));
      } catch (IOException e) {
        throw Bq2Exception.badInput("cannot read " + found.log() + ": " + e.getMessage());
      }
      out.flush();
    };
    if (!screen.terminal() || !Pager.page(System.getenv(), body)) body.accept(System.out);
    return ExitCodes.OK;
  }

  static Optional<Path> newestRunnerLog(Path dir) {
    if (!Files.isDirectory(dir)) return Optional.empty();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("sysroot-runner-") && p.toString().endsWith(".log"))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
