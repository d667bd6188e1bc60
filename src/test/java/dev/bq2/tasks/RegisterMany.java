package dev.bq2.tasks;

import java.nio.file.Path;

/** A second process for {@link TaskQueueTest}: registers N tasks `PREFIX-i` in the queue of DIR. */
public final class RegisterMany {
  private RegisterMany() {}

  public static void main(String[] args) {
    TaskQueue q = TaskQueue.open(Path.of(args[0]));
    int n = Integer.parseInt(args[2]);
    for (int i = 0; i < n; i++) {
      if (!q.register(args[1] + "-" + i, "task " + i + " of " + args[1], "process " + ProcessHandle.current().pid())) {
        System.exit(1);
      }
    }
  }
}
