package dev.bq2.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Kills a process group when this JVM dies, however it dies (kill -9 included): a tiny `sh`
 * in a session of its own blocks reading a pipe whose only writer is this JVM; when the pipe
 * closes (we exit, crash or are killed) its `read` returns and it sends SIGKILL to the group.
 * Its own session keeps it out of a signal sent to our process group (Ctrl-C in a terminal).
 * The external `kill` does it: dash's builtin takes neither `--` nor a negative pid.
 */
public final class OrphanGuard implements AutoCloseable {
  private final Process guard;
  private final OutputStream pipe;

  private OrphanGuard(Process guard) {
    this.guard = guard;
    this.pipe = guard.getOutputStream();
  }

  /** Starts the guard of process group {@code pgid}; null when there is no setsid to start it with. */
  public static OrphanGuard of(long pgid) throws IOException {
    if (!ProcessGroup.isolated()) return null;
    List<String> argv = ProcessGroup.wrap(List.of("sh", "-c",
        "read _ignored; exec env kill -s KILL -- -\"$1\" 2>/dev/null", "bq2-orphan-guard", Long.toString(pgid)));
    Process p = new ProcessBuilder(argv)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    return new OrphanGuard(p);
  }

  public long pid() {
    return guard.pid();
  }

  /**
   * The group was stopped by its owner: end the guard. Closing the pipe makes it send its
   * SIGKILL to a group that is already empty (harmless: the pgid is not reused while we wait
   * here for the guard, because the group leader was reaped by us just before).
   */
  @Override
  public void close() {
    try {
      pipe.close();
    } catch (IOException e) {
      guard.destroyForcibly();
    }
    try {
      guard.waitFor();
    } catch (InterruptedException e) {
      guard.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
