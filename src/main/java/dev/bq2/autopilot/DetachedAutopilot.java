package dev.bq2.autopilot;

import dev.bq2.Screen;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.OwnCommand;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.LogFollower;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.SupervisedRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `bq2 iterate --detach` / `--attach`: the autopilot itself run nohup-style for overnight runs,
 * under the same supervision as the runner (own session, log, run record, exit file), in
 * `<rootfs>/var/lib/sysroot-build-logs/autopilot/`.
 */
public final class DetachedAutopilot {
  private DetachedAutopilot() {}

  static BackgroundRunner supervisor(RootfsLayout layout) {
    return new BackgroundRunner(layout.logDir().resolve("autopilot"), "iterate");
  }

  /** Starts `bq2 iterate <args>` detached; refuses while another autopilot holds this rootfs. */
  public static SupervisedRun start(Context ctx, List<String> iterateArgs) {
    // Fail here, in the user's terminal, rather than in a log nobody is reading yet.
    try (AutopilotLock probe = AutopilotLock.acquire(ctx.layout().logDir())) {
      // free: released at once, the detached autopilot takes it for its whole life
    }
    List<String> argv = new ArrayList<>(OwnCommand.argv("iterate"));
    argv.addAll(iterateArgs);
    return supervisor(ctx.layout()).start("autopilot", argv, ctx.cwd(), Map.of());
  }

  private static final java.util.regex.Pattern JOURNAL_LINE =
      java.util.regex.Pattern.compile("(?m)^iterate: (?:starting|resuming) phase \\S+; journal (.+/journal\\.md)$");

  /**
   * The journal the detached autopilot opened, from its own `journal PATH` line: the folder is
   * named by the time the autopilot starts the phase, so only it can say. Empty when it ended
   * first (nothing to do, bad input: its log says why) or said nothing within {@code patience}.
   */
  public static Optional<Path> awaitJournal(SupervisedRun run, Duration patience) throws InterruptedException {
    Path log = Path.of(run.record().log());
    long end = System.nanoTime() + patience.toNanos();
    while (true) {
      boolean ended = run.await(Duration.ofMillis(100)).isPresent();
      try {
        java.util.regex.Matcher m = JOURNAL_LINE.matcher(java.nio.file.Files.readString(log));
        if (m.find()) return Optional.of(Path.of(m.group(1)));
      } catch (IOException e) {
        // not written yet
      }
      if (ended || System.nanoTime() > end) return Optional.empty();
    }
  }

  public static Optional<SupervisedRun> current(RootfsLayout layout) {
    return supervisor(layout).attach();
  }

  /**
   * Follows the detached autopilot's log until it exits; returns its exit code (null when lost).
   * On a terminal its own lines (`#N failed`, `rules → … applied`) are shown as without one, and
   * the runner's lines it logs feed a status line with the output of the step being built.
   */
  public static RunOutcome follow(SupervisedRun run, RootfsLayout layout, PrintStream out, Screen screen)
      throws InterruptedException {
    try {
      LogFollower f = new LogFollower(Path.of(run.record().log()), 0, out,
          screen.terminal() ? LogFollower.Mode.ATTACH : LogFollower.Mode.LINES, screen,
          Instant.parse(run.record().startedAt()));
      f.stepLogDirs(List.of(layout.logDir(), layout.reportDir()));
      return f.follow(run);
    } catch (IOException e) {
      return run.awaitExit();
    }
  }
}
