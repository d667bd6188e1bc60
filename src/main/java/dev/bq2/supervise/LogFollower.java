package dev.bq2.supervise;

import dev.bq2.TerminalText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Follows a runner log as it grows, from a byte offset (never loading the whole file): on a
 * terminal one status line redrawn in place (phase, step, steps done, elapsed, attempt, and
 * the newest output line), with ERROR lines kept above it; without a terminal the lines
 * themselves, each once.
 */
public final class LogFollower {
  private static final int CHUNK = 64 * 1024;
  /** A line longer than this is cut (a runaway progress bar must not grow the heap). */
  private static final int MAX_LINE = 16 * 1024;
  private static final java.util.regex.Pattern DEBUG = java.util.regex.Pattern.compile("^\\S+\\s+DEBUG\\s+-\\s");

  private final Path log;
  private final PrintStream out;
  private final boolean terminal;
  private final Instant runStart;
  private final RunnerProgress progress = new RunnerProgress();
  private final StringBuilder partial = new StringBuilder();
  private final byte[] pending = new byte[4];
  private int pendingLen;
  private long offset;
  private int attempt = 1;
  private int width = 100;
  private boolean statusShown;
  private Duration stallTimeout;
  private java.util.List<Path> stepLogDirs = java.util.List.of();
  private boolean stalled;

  /**
   * @param offset byte offset to start from: 0 for a run just started, the file size to show
   *     only what comes next (see {@link #fromEnd})
   */
  public LogFollower(Path log, long offset, PrintStream out, boolean terminal, Instant runStart) {
    this.log = log;
    this.offset = offset;
    this.out = out;
    this.terminal = terminal;
    this.runStart = runStart == null ? Instant.now() : runStart;
    String cols = System.getenv("COLUMNS");
    if (cols != null && cols.matches("\\d{2,4}")) width = Integer.parseInt(cols);
  }

  /**
   * A follower for a re-attached run: the status is primed from at most the last {@code tail}
   * bytes (not printed), then it prints from the current end.
   */
  public static LogFollower fromEnd(Path log, PrintStream out, boolean terminal, Instant runStart, int tail)
      throws IOException {
    long size = size(log);
    LogFollower f = new LogFollower(log, Math.max(0, size - tail), out, terminal, runStart);
    f.read(true);
    return f;
  }

  public void attempt(int attempt) {
    this.attempt = attempt;
  }

  /**
   * A run that is idle this long (see {@link StallWatch}: no runner log or step log in
   * {@code stepLogDirs} grew, no process of its tree used CPU) is stopped (SIGTERM to its
   * process group) and the follow ends with {@link #stalled()} true: a hung build must not eat
   * the night, a long quiet compile must not be killed.
   */
  public void stallTimeout(Duration timeout, java.util.List<Path> stepLogDirs) {
    this.stallTimeout = timeout;
    this.stepLogDirs = java.util.List.copyOf(stepLogDirs);
  }

  /** True when {@link #follow} stopped the run because it stalled. */
  public boolean stalled() {
    return stalled;
  }

  public void width(int columns) {
    this.width = Math.max(40, columns);
  }

  public RunnerProgress progress() {
    return progress;
  }

  public long offset() {
    return offset;
  }

  /** Prints what was appended since the last call; on a terminal also refreshes the elapsed time. */
  public void pump() throws IOException {
    read(false);
    if (terminal) drawStatus();
  }

  /**
   * Follows until the run ends (noticed within {@link SupervisedRun#POLL} for re-attached runs,
   * at once for our own child), prints the rest and returns the outcome.
   */
  public RunOutcome follow(SupervisedRun run) throws IOException, InterruptedException {
    long seen = offset;
    StallWatch watch = stallTimeout == null ? null : new StallWatch(run.record(), stepLogDirs, stallTimeout);
    while (true) {
      pump();
      Optional<RunOutcome> o = run.await(Duration.ofMillis(200));
      if (o.isPresent()) {
        finish();
        return o.get();
      }
      boolean grew = offset != seen;
      seen = offset;
      if (!stalled && watch != null && watch.stalled(grew)) {
        stalled = true;
        run.stop();
      }
    }
  }

  /** Prints the rest (an unterminated last line too) and ends the status line. */
  public void finish() throws IOException {
    read(false);
    if (partial.length() > 0) {
      emit(partial.toString(), false);
      partial.setLength(0);
    }
    if (terminal) {
      drawStatus();
      out.print("\n");
      statusShown = false;
    }
    out.flush();
  }

  private void read(boolean quiet) throws IOException {
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < offset) offset = 0; // truncated or replaced: start over
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      while (offset < size) {
        buf.clear();
        int n = ch.read(buf, offset);
        if (n <= 0) break;
        offset += n;
        decode(buf.array(), n, quiet);
      }
    } catch (NoSuchFileException e) {
      // not created yet
    }
  }

  /** Splits bytes into lines, keeping an incomplete UTF-8 sequence and line for the next read. */
  private void decode(byte[] bytes, int n, boolean quiet) {
    byte[] all = bytes;
    int len = n;
    if (pendingLen > 0) {
      all = new byte[pendingLen + n];
      System.arraycopy(pending, 0, all, 0, pendingLen);
      System.arraycopy(bytes, 0, all, pendingLen, n);
      len = pendingLen + n;
      pendingLen = 0;
    }
    int cut = len;
    // Hold back a trailing incomplete UTF-8 sequence (at most 3 bytes).
    for (int i = len - 1; i >= Math.max(0, len - 3); i--) {
      int b = all[i] & 0xff;
      if (b < 0x80) break;
      if (b >= 0xc0) {
        int need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (len - i < need) cut = i;
        break;
      }
    }
    pendingLen = len - cut;
    System.arraycopy(all, cut, pending, 0, pendingLen);
    String text = new String(all, 0, cut, StandardCharsets.UTF_8);
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        appendPartial(text, start, i);
        String line = partial.toString();
        partial.setLength(0);
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        emit(line, quiet);
        start = i + 1;
      }
    }
    appendPartial(text, start, text.length());
  }

  private void appendPartial(String text, int from, int to) {
    int room = MAX_LINE - partial.length();
    if (room > 0) partial.append(text, from, Math.min(to, from + room));
  }

  private void emit(String line, boolean quiet) {
    boolean keep = progress.accept(line);
    if (quiet || DEBUG.matcher(line).find()) return; // detail for the log file (a tolerated cleanup), not the screen
    // Build output: its escapes (title, clear screen, cursor moves) must not reach the terminal.
    String shown = TerminalText.escape(line);
    if (!terminal) {
      out.println(shown);
    } else if (keep) {
      clearStatus();
      out.println(shown);
    }
  }

  private void clearStatus() {
    if (statusShown) {
      out.print("\r\033[K");
      statusShown = false;
    }
  }

  private void drawStatus() {
    StringBuilder s = new StringBuilder();
    s.append("phase ").append(progress.phase() == null ? "?" : progress.phase());
    s.append(" | step ").append(progress.step() == null ? "?" : progress.step());
    if (progress.stepsTotal() > 0) s.append(" (").append(progress.stepsDone()).append('/').append(progress.stepsTotal()).append(')');
    s.append(" | ").append(elapsed(Duration.between(runStart, Instant.now())));
    s.append(" | attempt ").append(attempt);
    if (progress.phaseResult() != null) s.append(" | phase ").append(progress.phaseResult());
    String last = progress.lastLine().replaceAll("\\p{Cntrl}", " ");
    int room = width - 1 - s.length() - 3;
    if (room > 10 && !last.isEmpty()) {
      s.append(" | ").append(last.length() > room ? last.substring(0, room - 1) + "…" : last);
    }
    String text = s.length() >= width ? s.substring(0, width - 1) : s.toString();
    out.print("\r\033[K" + text);
    out.flush();
    statusShown = true;
  }

  static String elapsed(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  private static long size(Path log) throws IOException {
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      return ch.size();
    } catch (NoSuchFileException e) {
      return 0;
    }
  }
}
