package dev.bq2.autopilot;

import static dev.bq2.autopilot.Journal.data;

import dev.bq2.Durations;
import dev.bq2.ExitCodes;
import dev.bq2.supervise.RunOutcome;
import dev.bq2.supervise.RunnerSteps;
import dev.bq2.supervise.SupervisedRun;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Journals a runner's steps while it runs, so that the journal tells what is being built now
 * and not only what happened once the runner is gone: `step_started` when the runner's log says
 * a step is being built, `step_finished` with the step's own time when it ends, and `journal.md`
 * rewritten every {@code refresh} so that a long step's elapsed time stays current. One daemon
 * thread polls the runner log (read only, from where it left off); {@link #close} reads the rest
 * and ends the open step with how the runner ended, before the autopilot journals
 * `runner_exited`.
 */
final class LiveJournal implements AutoCloseable {
  /** How often `journal.md` is rewritten while a step runs (it also is at each step change). */
  static final Duration REFRESH = Duration.ofSeconds(30);
  /** How often the runner log is read: a step change reaches the journal within this. */
  private static final long POLL_MS = 500;

  private final Journal journal;
  private final int iteration;
  /** The runner log's file name: names the run in step events, so a re-attached run's steps are journaled once. */
  private final String run;
  private final RunnerSteps steps;
  private final Duration refresh;
  private final Object lock = new Object();
  private final Thread thread;
  private boolean stopped;
  private Instant rendered = Instant.now();

  private LiveJournal(Journal journal, int iteration, Path runnerLog, Duration refresh) {
    this.journal = journal;
    this.iteration = iteration;
    this.run = runnerLog.getFileName().toString();
    this.steps = new RunnerSteps(runnerLog);
    this.refresh = refresh;
    this.thread = new Thread(this::loop, "bq2-live-journal");
    thread.setDaemon(true);
  }

  /** Starts journaling the steps of the run whose log is {@code runnerLog}. */
  static LiveJournal start(Journal journal, int iteration, Path runnerLog, Duration refresh) {
    LiveJournal live = new LiveJournal(journal, iteration, runnerLog, refresh);
    live.thread.start();
    return live;
  }

  private void loop() {
    try {
      while (true) {
        synchronized (lock) {
          if (stopped) return;
          poll();
          if (Duration.between(rendered, Instant.now()).compareTo(refresh) >= 0) {
            journal.refresh();
            rendered = Instant.now();
          }
          lock.wait(POLL_MS);
          if (stopped) return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Our files cannot be written (full disk): the autopilot's own next record meets the same
      // error and stops with a message naming the path; the live view just ends here.
    }
  }

  /** Caller holds {@link #lock}. */
  private void poll() {
    try {
      journalChanges(steps.poll(Instant.now()));
    } catch (IOException e) {
      // unreadable for a moment (rotated, permissions): tried again at the next poll
    }
  }

  /**
   * Stops the thread; when the run's outcome is known, reads the rest of its log and ends the
   * step still open with how the runner ended. Without an outcome (the autopilot itself was
   * interrupted, the runner goes on) the open step stays open: it is not over.
   */
  void close(RunOutcome outcome) throws InterruptedException {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    thread.join();
    if (outcome == null) return;
    try {
      journalChanges(steps.finish(Instant.now(), result(outcome)));
    } catch (IOException e) {
      // the log is gone: what was read is journaled
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(null);
  }

  private void journalChanges(List<RunnerSteps.Change> changes) {
    for (RunnerSteps.Change c : changes) {
      String type = c.started() ? "step_started" : "step_finished";
      if (alreadyJournaled(type, c)) continue;
      if (c.started()) {
        journal.record(type, iteration, c.phase(), c.step(), "building",
            data("run", run, "started_at", Journal.stamp(c.at())));
      } else {
        Duration took = c.duration();
        journal.record(type, iteration, c.phase(), c.step(), c.result() + " after " + Durations.text(took),
            data("run", run, "result", c.result(), "duration_s", took.toMillis() / 1000.0));
      }
    }
  }

  /** A run followed again after an autopilot restart is read from its start: its steps are journaled once. */
  private boolean alreadyJournaled(String type, RunnerSteps.Change c) {
    return journal.events().stream().anyMatch(e -> e.type().equals(type) && run.equals(e.get("run"))
        && Objects.equals(c.phase(), e.phase()) && Objects.equals(c.step(), e.step()));
  }

  /** How the step still open when the runner ended went (the runner's last words, in one word). */
  static String result(RunOutcome o) {
    if (o.state() == SupervisedRun.State.LOST || o.exitCode() == null) return "lost";
    int code = o.exitCode();
    if (code == 0) return "ok";
    if (code == ExitCodes.INTERRUPTED || code == ExitCodes.TERMINATED) return "stopped";
    if (code > 128) return "killed";
    return "failed";
  }
}
