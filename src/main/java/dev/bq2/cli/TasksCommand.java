package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.autopilot.Autopilot;
import dev.bq2.json.Json;
import dev.bq2.tasks.TaskListing;
import dev.bq2.tasks.TaskQueue;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 tasks`: the task queue (`session/task-queue.md`) that boot-check and iterate fill. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
    description = {"List the task queue kept across sessions (<repo>/session/task-queue.md): the follow-ups bq2 boot-check "
        + "and bq2 iterate discovered, open ones first, then those done in the last 7 days.",
        "Tick a box in the file to mark a task done; lines you add are kept (docs/formats.md#task-queue).",
        "Exit 0, or 2 for a queue that is not UTF-8."})
public class TasksCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = "--session-dir", paramLabel = "DIR",
      description = "The session root holding task-queue.md (default: <repo>/session, else <rootfs>/var/lib/sysroot-build-sessions); "
          + "no rootfs is detected then.")
  Path sessionDir;

  @Option(names = "--all", description = "Every done task, not only those of the last 7 days.")
  boolean all;

  @Option(names = "--json", description = "Print the listing as one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    // --session-dir names the queue: no rootfs needs to be found for it.
    Path root = sessionDir != null ? sessionDir : Autopilot.sessionsDir(context.detect(), null);
    TaskListing listing = TaskListing.of(TaskQueue.open(root), all, Instant.now());
    System.out.print(json ? Json.pretty(listing) : listing.render());
    return ExitCodes.OK;
  }
}
