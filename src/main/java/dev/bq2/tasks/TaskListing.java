package dev.bq2.tasks;

import dev.bq2.TerminalText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What `bq2 tasks` shows: the open tasks first (what a person must do), then the recently done
 * ones (what a later run resolved), not the whole history unless asked.
 *
 * @param doneHidden done tasks left out (resolved before {@code doneSince}, or ticked by hand without a time)
 */
public record TaskListing(String file, List<Task> open, List<Task> done, String doneSince, int doneHidden) {
  /** How far back "recently done" reaches. */
  public static final Duration RECENT = Duration.ofDays(7);

  /** {@code all}: every done task; else those resolved since {@code now - RECENT}. */
  public static TaskListing of(TaskQueue queue, boolean all, Instant now) {
    List<Task> tasks = queue.tasks();
    Instant since = now.minus(RECENT);
    List<Task> open = tasks.stream().filter(Task::open).toList();
    List<Task> done = tasks.stream().filter(t -> !t.open())
        .filter(t -> all || (t.resolved() != null && !Instant.parse(t.resolved()).isBefore(since)))
        // newest first; boxes ticked by hand (no time) last
        .sorted(java.util.Comparator.comparing(Task::resolved, java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder()))
            .reversed())
        .toList();
    long allDone = tasks.stream().filter(t -> !t.open()).count();
    return new TaskListing(queue.file().toString(), open, done, all ? null : since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
        (int) (allDone - done.size()));
  }

  /** The text people read; task text a person or a build wrote is escaped for the terminal. */
  public String render() {
    StringBuilder b = new StringBuilder("task queue: ").append(TerminalText.escape(file));
    if (open.isEmpty() && done.isEmpty() && doneHidden == 0) {
      return b.append(": no tasks yet (bq2 boot-check and bq2 iterate register the follow-ups they find)\n").toString();
    }
    b.append('\n').append("open (").append(open.size()).append(")").append(open.isEmpty() ? ": none" : ":").append('\n');
    open.forEach(t -> b.append("  - [ ] ").append(line(t)).append('\n'));
    if (!done.isEmpty() || doneHidden > 0) {
      b.append(doneSince == null ? "done (" + done.size() + ")" : "done since " + doneSince + " (" + done.size() + ")");
      if (doneHidden > 0) b.append("; ").append(doneHidden).append(" earlier, --all shows them");
      b.append(done.isEmpty() ? "" : ":").append('\n');
      done.forEach(t -> b.append("  - [x] ").append(line(t)).append('\n'));
    }
    return b.toString();
  }

  private static String line(Task t) {
    StringBuilder b = new StringBuilder(TerminalText.escape(t.text()));
    if (t.byHand()) return b.append(" (by hand)").toString();
    b.append(" — ").append(TerminalText.escape(t.key())).append(" (from ").append(TerminalText.escape(t.source()))
        .append(", ").append(t.registered());
    if (t.reopened() != null) b.append("; reopened, was done ").append(TerminalText.escape(t.reopened()));
    if (!t.open()) {
      b.append(t.resolved() == null ? "; ticked by hand" : "; done " + t.resolved());
      if (t.how() != null) b.append(": ").append(TerminalText.escape(t.how()));
    }
    return b.append(')').toString();
  }

}
