package dev.bq2.autopilot;

import static dev.bq2.autopilot.Journal.data;

import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import dev.bq2.state.StateStore;
import dev.bq2.tasks.Task;
import dev.bq2.tasks.TaskQueue;
import java.nio.file.Path;
import java.util.List;

/**
 * The autopilot's follow-ups in the task queue (`session/task-queue.md`): a stop for a person
 * registers its next action under `iterate:<phase>/<step>:<signature or kind>` (or
 * `iterate:<phase>:<kind>` when no step is concerned), and a later run that completes that step,
 * or its phase, ticks it off. Keys, not texts, decide: the same failure stopping the next night's
 * run again adds no second task.
 */
final class FollowUps {
  static final String PREFIX = "iterate:";

  private final TaskQueue queue;
  private final RootfsLayout layout;

  FollowUps(Path sessionsDir, RootfsLayout layout) {
    this.queue = TaskQueue.open(sessionsDir);
    this.layout = layout;
  }

  static String key(String phase, String step, String what) {
    return PREFIX + phase + (step == null ? "" : "/" + step) + ":" + what;
  }

  /** `session/<UTC>-<phase>`: the session folder as its root's name and its own, as people cite it. */
  static String source(Journal journal) {
    return sourceOf(journal.dir());
  }

  static String sourceOf(Path dir) {
    Path parent = dir.toAbsolutePath().normalize().getParent();
    return (parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "/") + dir.getFileName();
  }

  TaskQueue queue() {
    return queue;
  }

  /** Registers a stop's next action; returns the key. */
  String register(Journal journal, String phase, String step, String what, String reason, String next) {
    String key = key(phase, step, what);
    queue.register(key, reason + ": " + next, source(journal));
    return key;
  }

  /**
   * Ticks off the open `iterate:` tasks whose step (per the state's completed steps) or phase (it
   * comes before {@code status.nextPhase()} in the plan, or the plan is complete) is done now; each
   * is journaled (`task_resolved`). Returns how many.
   */
  int resolveCompleted(Journal journal, PhaseStatus status) {
    List<Task> open = queue.open(PREFIX);
    if (open.isEmpty()) return 0;
    List<String> phases = phaseOrder();
    BuildState state = state();
    int resolved = 0;
    for (Task t : open) {
      String rest = t.key().substring(PREFIX.length());
      int colon = rest.lastIndexOf(':');
      if (colon <= 0) continue;
      String where = rest.substring(0, colon);
      int slash = where.indexOf('/');
      String phase = slash < 0 ? where : where.substring(0, slash);
      String step = slash < 0 ? null : where.substring(slash + 1);
      String done = null;
      if (phaseDone(phase, status, phases)) {
        done = "phase " + phase + " complete";
      } else if (step != null && state != null && state.progress().isCompleted(phase, step)) {
        done = phase + "/" + step + " completed";
      }
      if (done == null) continue;
      String how = "resolved by session " + (journal == null ? "(none: bq2 iterate found the plan complete)" : source(journal))
          + " (" + done + ")";
      if (queue.resolve(t.key(), how)) {
        resolved++;
        if (journal != null) {
          journal.record("task_resolved", null, phase, step, t.text(), data("key", t.key(), "how", how,
              "queue", queue.file().toString()));
        }
      }
    }
    return resolved;
  }

  private static boolean phaseDone(String phase, PhaseStatus status, List<String> phases) {
    if (status.complete()) return true;
    int at = phases.indexOf(phase);
    int next = phases.indexOf(status.nextPhase());
    return at >= 0 && next >= 0 && at < next;
  }

  private List<String> phaseOrder() {
    try {
      return PlanFiles.readPlan(layout.plan()).phaseNames();
    } catch (RuntimeException unreadable) {
      return List.of(); // the runner says what is wrong with the plan; phases then resolve by completion only
    }
  }

  private BuildState state() {
    try {
      StateStore store = new StateStore(layout.state());
      return store.exists() ? store.load() : null;
    } catch (RuntimeException unreadable) {
      return null;
    }
  }
}
