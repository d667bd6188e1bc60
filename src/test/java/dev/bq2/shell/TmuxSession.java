package dev.bq2.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for tests: a detached tmux session on its own server (socket in the test's
 * folder, so nothing touches the user's tmux), a fixed size and the status bar off (the pane is
 * the whole window). The session ends with its command: to read the last screen, end the
 * command with e.g. `; echo EXIT=$?; exec sleep 600` ({@link #close} kills it).
 */
public final class TmuxSession implements AutoCloseable {
  private final Path socket;
  private final String name = "t";

  private TmuxSession(Path socket) {
    this.socket = socket;
  }

  /**
   * Starts {@code command} (run by `sh -c`) in a {@code cols}×{@code rows} pane. The server, and
   * so the command, inherits this JVM's environment without `NO_COLOR`, `TMUX`, `COLUMNS` and
   * `LINES`, plus {@code env}.
   */
  public static TmuxSession start(Path dir, int cols, int rows, String command, Map<String, String> env)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path conf = dir.resolve("tmux.conf");
    Files.writeString(conf, "set -g status off\nset -g history-limit 5000\n");
    TmuxSession s = new TmuxSession(dir.resolve("tmux.sock"));
    List<String> argv = new ArrayList<>(List.of("tmux", "-S", s.socket.toString(), "-f", conf.toString(),
        "new-session", "-d", "-s", s.name, "-x", String.valueOf(cols), "-y", String.valueOf(rows), command));
    ProcessBuilder pb = new ProcessBuilder(argv);
    for (String unset : List.of("NO_COLOR", "TMUX", "COLUMNS", "LINES")) pb.environment().remove(unset);
    pb.environment().putAll(env);
    run(pb, "start");
    return s;
  }

  /** `tmux send-keys`: key names (`Enter`, `C-c`) or literal text. */
  public void sendKeys(String... keys) throws IOException, InterruptedException {
    List<String> a = new ArrayList<>(List.of("send-keys", "-t", name));
    a.addAll(List.of(keys));
    tmux(a);
  }

  /** The visible screen, wrapped lines as the terminal shows them (`capture-pane -p`). */
  public String capture() throws IOException, InterruptedException {
    return tmux(List.of("capture-pane", "-p", "-t", name));
  }

  /** The screen with wrapped lines joined (`-J`): a line wider than the pane shows as one long line. */
  public String captureJoined() throws IOException, InterruptedException {
    return tmux(List.of("capture-pane", "-p", "-J", "-t", name));
  }

  /** The screen with its colours and attributes as escape sequences (`-e`). */
  public String captureWithEscapes() throws IOException, InterruptedException {
    return tmux(List.of("capture-pane", "-p", "-e", "-t", name));
  }

  /** A tmux format of the pane, e.g. `#{history_size}`, `#{cursor_y}`, `#{pane_dead}`. */
  public String format(String format) throws IOException, InterruptedException {
    return tmux(List.of("display-message", "-p", "-t", name, format)).strip();
  }

  /** Lines scrolled off the top of the screen so far. */
  public int historySize() throws IOException, InterruptedException {
    return Integer.parseInt(format("#{history_size}"));
  }

  public void resize(int cols, int rows) throws IOException, InterruptedException {
    tmux(List.of("resize-window", "-t", name, "-x", String.valueOf(cols), "-y", String.valueOf(rows)));
  }

  /** Polls the screen until {@code condition} holds (at most {@code timeout}); returns that screen. */
  public String await(String what, Duration timeout, Predicate<String> condition) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String screen = capture();
    while (!condition.test(screen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; the screen:\n" + screen);
      }
      Thread.sleep(50);
      screen = capture();
    }
    return screen;
  }

  /** Polls until the screen contains {@code text}. */
  public String awaitText(String text, Duration timeout) throws IOException, InterruptedException {
    return await("\"" + text + "\" on the screen", timeout, s -> s.contains(text));
  }

  /** Kills the session and its server (and so the command, if it still runs). */
  @Override
  public void close() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("tmux", "-S", socket.toString(), "kill-server").redirectErrorStream(true);
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  private String tmux(List<String> args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
    argv.addAll(args);
    return run(new ProcessBuilder(argv), args.get(0));
  }

  private static String run(ProcessBuilder pb, String what) throws IOException, InterruptedException {
    pb.redirectError(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("tmux " + what + " did not finish");
    }
    if (p.exitValue() != 0) throw new AssertionError("tmux " + what + " failed (" + p.exitValue() + "): " + err);
    return new String(out, StandardCharsets.UTF_8);
  }
}
