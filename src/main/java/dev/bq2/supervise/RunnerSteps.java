package dev.bq2.supervise;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The steps a runner builds, read from its log as it grows (the progress lines of
 * {@link RunnerProgress}): when each step started and how and when it ended. The times come from
 * the lines' own timestamps when they carry one (`<ISO instant> INFO - …`), so a step's time is
 * right even when the log is read long after it was written; else from the clock when read.
 * Reads only what was appended since the last {@link #poll}, never the whole log again.
 */
public final class RunnerSteps {
  /** A step started (`result` null) or ended (`result` `ok`, `failed`, or how the runner ended). */
  public record Change(String phase, String step, Instant at, Instant startedAt, String result) {
    public boolean started() {
      return result == null;
    }

    /** How long the step ran (ended changes only). */
    public Duration duration() {
      return Duration.between(startedAt, at).isNegative() ? Duration.ZERO : Duration.between(startedAt, at);
    }
  }

  private static final int CHUNK = 64 * 1024;
  /** A longer line is cut: a runaway line must not grow the heap (progress lines are short). */
  private static final int MAX_LINE = 16 * 1024;

  private final Path log;
  private final RunnerProgress progress = new RunnerProgress();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private long offset;
  private String openPhase;
  private String openStep;
  private Instant openSince;

  public RunnerSteps(Path log) {
    this.log = log;
  }

  /** The step being built now (phase, step, since when), or null between steps. */
  public Change current() {
    return openStep == null ? null : new Change(openPhase, openStep, openSince, openSince, null);
  }

  /** What changed since the last call; {@code now} stands in for lines without a timestamp. */
  public List<Change> poll(Instant now) throws IOException {
    List<Change> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < offset) { // replaced: start over
        offset = 0;
        partial.reset();
      }
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      while (offset < size) {
        buf.clear();
        int n = ch.read(buf, offset);
        if (n <= 0) break;
        offset += n;
        for (int i = 0; i < n; i++) {
          byte b = buf.get(i);
          if (b == '\n') {
            line(partial.toString(StandardCharsets.UTF_8), now, out);
            partial.reset();
          } else if (partial.size() < MAX_LINE) {
            partial.write(b);
          }
        }
      }
    } catch (NoSuchFileException e) {
      // not created yet
    }
    return out;
  }

  /**
   * Ends the open step, if any, because the runner ended ({@code result}: e.g. `failed`,
   * `stopped`); reads what is left of the log first (an unterminated last line too).
   */
  public List<Change> finish(Instant now, String result) throws IOException {
    List<Change> out = new ArrayList<>(poll(now));
    if (partial.size() > 0) {
      line(partial.toString(StandardCharsets.UTF_8), now, out);
      partial.reset();
    }
    if (openStep != null) out.add(end(now, result));
    return out;
  }

  private void line(String line, Instant now, List<Change> out) {
    String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    Instant at = stamp(text, now);
    String stepBefore = progress.step();
    int doneBefore = progress.stepsDone();
    String resultBefore = progress.phaseResult();
    progress.accept(text);
    if (openStep != null && progress.stepsDone() > doneBefore) {
      out.add(end(at, "ok"));
    } else if (openStep != null && progress.phaseResult() != null && !Objects.equals(progress.phaseResult(), resultBefore)) {
      out.add(end(at, progress.phaseResult().equals("completed") ? "ok" : "failed"));
    }
    if (progress.step() != null && !progress.step().equals(stepBefore)) {
      if (openStep != null) out.add(end(at, "ok"));
      openPhase = progress.phase();
      openStep = progress.step();
      openSince = at;
      out.add(new Change(openPhase, openStep, at, at, null));
    }
  }

  private Change end(Instant at, String result) {
    Change c = new Change(openPhase, openStep, at, openSince, result);
    openPhase = null;
    openStep = null;
    openSince = null;
    return c;
  }

  /** The line's own time (its first word, an ISO-8601 instant), else {@code fallback}. */
  static Instant stamp(String line, Instant fallback) {
    int sp = line.indexOf(' ');
    if (sp < 20 || sp > 40) return fallback;
    try {
      return Instant.parse(line.substring(0, sp));
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
