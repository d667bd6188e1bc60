package dev.bq2.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A command running on a real terminal: a detached tmux session on a server of its own (its own
 * socket, no user config), driven by keys and read back from the pane, as a person would. The
 * pane stays after the command exits so its last screen can be read; its exit status is written
 * by a small `sh` wrapper (tmux may mark a pane dead only long after its process exited).
 * Waiting is polling the pane with a bound, never a fixed sleep.
 */
public final class TmuxSession implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(50);
  /** Runs "$@" and writes its status to $1 (atomically); a Ctrl-C meant for the command leaves it be. */
  private static final String WRAPPER = "f=$1; shift; trap : INT QUIT; \"$@\"; echo $? > \"$f.tmp\" && mv \"$f.tmp\" \"$f\"";

  private final String socket;
  private final Path statusFile;
  private String lastCapture = "";

  private TmuxSession(String socket, Path statusFile) {
    this.socket = socket;
    this.statusFile = statusFile;
  }

  /**
   * Starts {@code command} (argv, run without a shell) in a {@code cols}×{@code rows} pane with
   * {@code env} over this JVM's environment.
   */
  public static TmuxSession start(int cols, int rows, List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    Path status = Files.createTempDirectory("tmux-session").resolve("exit-status");
    TmuxSession s = new TmuxSession("bq2-test-" + UUID.randomUUID(), status);
    List<String> argv = new ArrayList<>(List.of("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
        "new-session", "-d", "-s", "main", "-x", String.valueOf(cols), "-y", String.valueOf(rows), "--",
        "sh", "-c", WRAPPER, "sh", status.toString()));
    argv.addAll(command);
    s.tmux(env, argv);
    return s;
  }

  /** tmux key names (`C-c`, `Enter`, `Tab`, `C-d`); for text use {@link #type}. */
  public void sendKeys(String... keys) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("send-keys", "-t", "main"));
    argv.addAll(List.of(keys));
    tmux(Map.of(), argv);
  }

  /** Types {@code text} literally (no key names). */
  public void type(String text) throws IOException, InterruptedException {
    tmux(Map.of(), List.of("send-keys", "-t", "main", "-l", text));
  }

  /** The pane with its scrollback, wrapped lines joined (long paths stay one line). */
  public String capture() throws IOException, InterruptedException {
    lastCapture = tmux(Map.of(), List.of("capture-pane", "-p", "-J", "-S", "-", "-t", "main"));
    return lastCapture;
  }

  /** Polls the pane until {@code condition} holds; fails after {@code timeout} showing the pane. */
  public String await(String what, Duration timeout, Predicate<String> condition) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String pane = capture();
      if (condition.test(pane)) return pane;
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; the pane:\n" + pane);
      }
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    }
  }

  /** Polls until the pane (scrollback included) shows {@code text}. */
  public String awaitText(String text, Duration timeout) throws IOException, InterruptedException {
    return await("\"" + text + "\"", timeout, pane -> pane.contains(text));
  }

  /** Polls until {@code text} is on the pane {@code times} times (a prompt shown again, …). */
  public String awaitCount(String text, int times, Duration timeout) throws IOException, InterruptedException {
    return await(times + "× \"" + text + "\"", timeout, pane -> count(pane, text) >= times);
  }

  /** The command's exit status once it has exited (the pane stays), else empty. */
  public Optional<Integer> exitStatus() throws IOException {
    if (!Files.exists(statusFile)) return Optional.empty();
    return Optional.of(Integer.parseInt(Files.readString(statusFile).strip()));
  }

  /** Polls until the command has exited; its exit status. */
  public int awaitExit(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Integer> status = exitStatus();
      if (status.isPresent()) return status.get();
      if (System.nanoTime() > deadline) throw new AssertionError("the command did not exit within " + timeout + "; the pane:\n" + capture());
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    }
  }

  /** The visible screen only, rows as the terminal shows them (`capture-pane -p`). */
  public String screen() throws IOException, InterruptedException {
    return tmux(Map.of(), List.of("capture-pane", "-p", "-t", "main"));
  }

  /** The visible screen, wrapped lines joined (`-J`): a line wider than the pane shows as one long line. */
  public String screenJoined() throws IOException, InterruptedException {
    return tmux(Map.of(), List.of("capture-pane", "-p", "-J", "-t", "main"));
  }

  /** The visible screen with its colours and attributes as escape sequences (`-e`). */
  public String screenWithEscapes() throws IOException, InterruptedException {
    return tmux(Map.of(), List.of("capture-pane", "-p", "-e", "-t", "main"));
  }

  /** A tmux format of the pane, e.g. `#{history_size}`, `#{cursor_y}`. */
  public String format(String format) throws IOException, InterruptedException {
    return tmux(Map.of(), List.of("display-message", "-p", "-t", "main", format)).strip();
  }

  /** Lines scrolled off the top of the screen so far. */
  public int historySize() throws IOException, InterruptedException {
    return Integer.parseInt(format("#{history_size}"));
  }

  public void resize(int cols, int rows) throws IOException, InterruptedException {
    tmux(Map.of(), List.of("resize-window", "-t", "main", "-x", String.valueOf(cols), "-y", String.valueOf(rows)));
  }

  /** The last capture (for assertion messages). */
  public String lastCapture() {
    return lastCapture;
  }

  public static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) n++;
    return n;
  }

  /** Ends the server, its session and what runs in the pane (SIGHUP). */
  public void kill() throws IOException, InterruptedException {
    tmux(Map.of(), List.of("kill-server"));
    Files.deleteIfExists(statusFile);
    Files.deleteIfExists(statusFile.resolveSibling(statusFile.getFileName() + ".tmp"));
    Files.deleteIfExists(statusFile.getParent());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    kill();
  }

  private String tmux(Map<String, String> env, List<String> args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
    argv.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().remove("TMUX"); // tests run from inside tmux too
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("tmux " + args + " did not return");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 && !args.get(0).equals("kill-server")) {
      throw new IOException("tmux " + args + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }
}
