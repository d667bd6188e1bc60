package dev.bq2.supervise;

import dev.bq2.Screen;
import dev.bq2.TerminalText;
import dev.bq2.Tone;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Follows a runner log as it grows, from a byte offset (never loading the whole file), together
 * with the log of the step being built (found by name when the runner says `Building <step>`,
 * switched when it moves on). What it prints depends on the {@link Mode}.
 */
public final class LogFollower {
  /** What a follow prints. */
  public enum Mode {
    /** Not a terminal: every runner-log line once, as it is (the step logs are not read). */
    LINES,
    /**
     * A terminal: one status line redrawn in place (phase, step n/m, the step's elapsed time,
     * attempt, the newest line of the step's output), the runner's error lines kept above it.
     */
    STATUS,
    /**
     * `iterate --attach` on a terminal: the detached autopilot's log holds its own words and the
     * runner's lines; its words are kept (as without a terminal), the runner's feed the status line.
     */
    ATTACH,
    /** `bq2 log -f`: the runner's lines and the step's output, each output line marked `[phase/step]`. */
    FOLLOW
  }

  private static final Pattern AUTOPILOT_ATTEMPT = Pattern.compile("^iterate: #(\\d+) ");
  private static final int PRIME_BYTES = 1 << 20;
  private static final Pattern DEBUG = Pattern.compile("^\\S+\\s+DEBUG\\s+-\\s");

  private final LineTail runnerLog;
  private final PrintStream out;
  private final Mode mode;
  private final Screen screen;
  private final Instant runStart;
  private final RunnerProgress progress = new RunnerProgress();
  private List<Path> stepLogDirs;
  private LineTail stepLog;
  private String stepKey;
  private boolean scanned;
  private int attempt = 1;
  private volatile int width;
  private boolean fixedWidth;
  private int shownColumns;
  private volatile boolean resized;
  private Duration stallTimeout;
  private boolean stalled;
  private boolean quiet;
  private int backlogLines;
  private final Deque<String> runnerBacklog = new ArrayDeque<>();
  private final Deque<String> stepBacklog = new ArrayDeque<>();

  /**
   * @param offset byte offset to start from: 0 for a run just started, the file size to show
   *     only what comes next (see {@link #fromEnd})
   * @param terminal a status line ({@link Mode#STATUS}) on standard output's terminal, else {@link Mode#LINES}
   */
  public LogFollower(Path log, long offset, PrintStream out, boolean terminal, Instant runStart) {
    this(log, offset, out, terminal ? Mode.STATUS : Mode.LINES, terminal ? Screen.stdout() : Screen.none(), runStart);
  }

  public LogFollower(Path log, long offset, PrintStream out, Mode mode, Screen screen, Instant runStart) {
    this.runnerLog = new LineTail(log, offset);
    this.out = out;
    this.mode = mode;
    this.screen = screen;
    this.runStart = runStart == null ? Instant.now() : runStart;
    Path dir = log.toAbsolutePath().getParent();
    this.stepLogDirs = dir == null ? List.of() : List.of(dir);
    this.width = screen.width();
  }

  /**
   * A follower for a re-attached run: the status is primed from at most the last {@code tail}
   * bytes (not printed), then it prints from the current end.
   */
  public static LogFollower fromEnd(Path log, PrintStream out, boolean terminal, Instant runStart, int tail)
      throws IOException {
    return fromEnd(log, out, terminal ? Mode.STATUS : Mode.LINES, terminal ? Screen.stdout() : Screen.none(), runStart,
        tail, 0, null);
  }

  /**
   * As {@link #fromEnd(Path, PrintStream, boolean, Instant, int)}, keeping the last {@code backlog}
   * lines of the runner log and of the current step's log for {@link #printBacklog}; the step
   * logs are looked for in {@code stepLogDirs} (null: beside the runner log).
   */
  public static LogFollower fromEnd(Path log, PrintStream out, Mode mode, Screen screen, Instant runStart, int tail,
      int backlog, List<Path> stepLogDirs) throws IOException {
    long size = LineTail.size(log);
    LogFollower f = new LogFollower(log, Math.max(0, size - tail), out, mode, screen, runStart);
    if (stepLogDirs != null) f.stepLogDirs(stepLogDirs);
    f.backlogLines = backlog;
    f.quiet = true;
    try {
      // Only whole lines count: the first one read from the middle of the file is a fragment.
      f.runnerLog.read(f::emitRunner);
      if (f.stepLog != null) f.stepLog.read(f::emitStep);
    } finally {
      f.quiet = false;
    }
    return f;
  }

  /** Where step logs are looked for (ours: the log folder; the existing tool's: the report folder). */
  public LogFollower stepLogDirs(List<Path> dirs) {
    this.stepLogDirs = List.copyOf(dirs);
    return this;
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
  public void stallTimeout(Duration timeout, List<Path> stepLogDirs) {
    this.stallTimeout = timeout;
    stepLogDirs(stepLogDirs);
  }

  /** True when {@link #follow} stopped the run because it stalled. */
  public boolean stalled() {
    return stalled;
  }

  /** A fixed width instead of the terminal's (tests). */
  public void width(int columns) {
    this.width = Math.max(20, columns);
    this.fixedWidth = true;
  }

  public RunnerProgress progress() {
    return progress;
  }

  public long offset() {
    return runnerLog.offset();
  }

  /** The step log being followed, if one was found. */
  public Optional<Path> stepLog() {
    return Optional.ofNullable(stepLog).map(LineTail::file);
  }

  /** Prints the lines kept by {@link #fromEnd} with a backlog: the runner's, then the current step's. */
  public void printBacklog() {
    runnerBacklog.forEach(this::showRunnerLine);
    runnerBacklog.clear();
    stepBacklog.forEach(this::showStepLine);
    stepBacklog.clear();
    out.flush();
  }

  /** Prints what was appended since the last call; on a terminal also refreshes the status line. */
  public void pump() throws IOException {
    scanned = false;
    boolean grew = runnerLog.read(this::emitRunner);
    if (followsSteps() && stepKey != null && !scanned && (stepLog == null || grew)) {
      // Not there yet, or a newer one: the existing tool writes one log per command.
      findStepLog();
    }
    if (stepLog != null) stepLog.read(this::emitStep);
    if (showsStatus()) drawStatus();
    out.flush();
  }

  /**
   * Follows until the run ends (noticed within {@link SupervisedRun#POLL} for re-attached runs,
   * at once for our own child), prints the rest and returns the outcome.
   */
  public RunOutcome follow(SupervisedRun run) throws IOException, InterruptedException {
    long seen = offset();
    StallWatch watch = stallTimeout == null ? null : new StallWatch(run.record(), stepLogDirs, stallTimeout);
    try (Screen.Handle resize = showsStatus() && !fixedWidth ? screen.onResize(() -> resized = true) : () -> { }) {
      while (true) {
        pump();
        Optional<RunOutcome> o = run.await(Duration.ofMillis(200));
        if (o.isPresent()) {
          finish();
          return o.get();
        }
        boolean grew = offset() != seen;
        seen = offset();
        if (!stalled && watch != null && watch.stalled(grew)) {
          stalled = true;
          run.stop();
        }
      }
    }
  }

  /** Prints the rest (unterminated last lines too) and takes the status line off the screen. */
  public void finish() throws IOException {
    runnerLog.read(this::emitRunner);
    runnerLog.flush(this::emitRunner);
    if (stepLog != null) {
      stepLog.read(this::emitStep);
      stepLog.flush(this::emitStep);
    }
    clearStatus();
    out.flush();
  }

  private boolean followsSteps() {
    return mode != Mode.LINES;
  }

  private boolean showsStatus() {
    return mode == Mode.STATUS || mode == Mode.ATTACH;
  }

  private void emitRunner(String line) {
    String before = progress.stepKey();
    boolean error = progress.accept(line);
    if (mode == Mode.ATTACH) {
      Matcher m = AUTOPILOT_ATTEMPT.matcher(line);
      if (m.find()) attempt = Integer.parseInt(m.group(1));
    }
    if (quiet) {
      keep(runnerBacklog, line);
    } else if (DEBUG.matcher(line).find()) {
      // detail for the log file (a tolerated cleanup), not the screen
    } else {
      switch (mode) {
        case LINES -> out.println(TerminalText.escape(line));
        case FOLLOW -> showRunnerLine(line);
        case STATUS -> {
          if (error) above(line);
        }
        case ATTACH -> {
          // Not the runner's: the autopilot's own words (`#N failed`, `rules → … applied`).
          if (error || !RunnerProgress.isRunnerLine(line)) above(line);
        }
      }
    }
    if (followsSteps() && !Objects.equals(before, progress.stepKey())) switchStep();
  }

  private void emitStep(String line) {
    progress.acceptStepOutput(line);
    if (mode != Mode.FOLLOW) return;
    if (quiet) {
      keep(stepBacklog, line);
    } else {
      showStepLine(line);
    }
  }

  private void keep(Deque<String> backlog, String line) {
    if (backlogLines <= 0) return;
    backlog.addLast(line);
    while (backlog.size() > backlogLines) backlog.removeFirst();
  }

  private void showRunnerLine(String line) {
    String shown = TerminalText.escape(line);
    out.println(screen.paint(shown, Tone.of(line)));
  }

  private void showStepLine(String line) {
    String mark = "[" + (stepKey == null ? "?" : stepKey) + "] ";
    out.println(screen.paint(mark, Tone.DIM) + TerminalText.escape(line));
  }

  /** The runner moved to another step (or phase): the old step's log is read to its end, the new one looked for. */
  private void switchStep() {
    drainStep();
    stepKey = progress.stepKey();
    if (quiet) stepBacklog.clear();
    if (stepKey != null) findStepLog();
  }

  private void drainStep() {
    if (stepLog == null) return;
    try {
      stepLog.read(this::emitStep);
    } catch (IOException e) {
      // gone: nothing more to show
    }
    stepLog.flush(this::emitStep);
    stepLog = null;
  }

  private void findStepLog() {
    scanned = true;
    int slash = stepKey.indexOf('/');
    Optional<Path> found = StepLogs.newest(stepLogDirs, stepKey.substring(0, slash), stepKey.substring(slash + 1), runStart);
    if (found.isEmpty() || (stepLog != null && stepLog.file().equals(found.get()))) return;
    drainStep();
    long start = 0;
    if (quiet) {
      try {
        start = Math.max(0, LineTail.size(found.get()) - PRIME_BYTES);
      } catch (IOException e) {
        start = 0;
      }
    }
    stepLog = new LineTail(found.get(), start);
    try {
      stepLog.read(this::emitStep);
    } catch (IOException e) {
      // appears later or never: the status keeps the runner's last line
    }
  }

  /** One line printed above the status line (which is redrawn on the next pump). */
  private void above(String line) {
    clearStatus();
    out.println(screen.paint(TerminalText.escapeLines(line), Tone.of(line)));
  }

  /**
   * Takes the status line off the screen. A terminal made narrower has rewrapped it over more
   * rows (tmux, VTE, kitty reflow), and the cursor sits at its end: those rows are erased too.
   */
  private void clearStatus() {
    refreshWidth();
    if (shownColumns == 0) return;
    int extraRows = (shownColumns - 1) / Math.max(1, width);
    out.print(extraRows > 0 ? "\r\033[" + extraRows + "A\033[J" : "\r\033[K");
    shownColumns = 0;
  }

  /**
   * The status line, cut to one column less than the terminal is wide (a full-width line would
   * leave the cursor in the next line on some terminals) so it never wraps and never scrolls:
   * carriage return and erase-line redraw it in place.
   */
  private void drawStatus() {
    if (shownColumns > 0) {
      clearStatus();
    } else {
      refreshWidth();
      out.print("\r\033[K");
    }
    AttributedString line = statusLine(Math.max(20, width) - 1);
    out.print(screen.paint(line));
    shownColumns = Math.max(1, line.columnLength());
  }

  /**
   * The terminal's width now. Asked at each draw (an ioctl through JLine), not only after the
   * resize signal: a terminal reflows the line the moment it is resized, and a draw between
   * that and our handler running must already know the new width.
   */
  private void refreshWidth() {
    if (fixedWidth) return;
    resized = false;
    width = screen.width();
  }

  AttributedString statusLine(int columns) {
    AttributedStyle bold = AttributedStyle.BOLD;
    AttributedStyle dim = Screen.style(Tone.DIM);
    AttributedStringBuilder b = new AttributedStringBuilder();
    b.append("phase ", dim).append(progress.phase() == null ? "?" : progress.phase(), bold);
    b.append(" | ", dim);
    if (progress.step() == null) {
      b.append("starting");
    } else {
      b.append("step ", dim);
      if (progress.stepNumber() > 0) b.append(progress.stepNumber() + "/" + progress.stepsTotal() + " ");
      b.append(progress.step(), bold);
    }
    // A step cannot have started before its run (a runner's clock may disagree with ours).
    Instant since = progress.stepStartedAt() != null && progress.stepStartedAt().isAfter(runStart) ? progress.stepStartedAt() : runStart;
    b.append(" | ", dim).append(elapsed(Duration.between(since, Instant.now())));
    b.append(" | ", dim).append("attempt " + attempt, attempt > 1 ? Screen.style(Tone.WARN) : AttributedStyle.DEFAULT);
    if (progress.phaseResult() != null) {
      b.append(" | ", dim).append("phase " + progress.phaseResult(),
          Screen.style(progress.phaseResult().equals("failed") ? Tone.ERROR : Tone.FIX));
    }
    String last = TerminalText.escape(progress.lastLine()).replace('\t', ' ');
    int room = columns - b.columnLength() - 3;
    if (room > 10 && !last.isEmpty()) {
      AttributedString l = new AttributedString(last);
      if (l.columnLength() > room) l = AttributedString.join(AttributedString.EMPTY, l.columnSubSequence(0, room - 1), new AttributedString("…"));
      b.append(" | ", dim).append(l);
    }
    AttributedString s = b.toAttributedString();
    return s.columnLength() > columns ? s.columnSubSequence(0, columns) : s;
  }

  /** `m:ss`, from an hour on `h:mm:ss`, as a stopwatch shows it. */
  static String elapsed(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 3600) return String.format("%d:%02d", s / 60, s % 60);
    return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
