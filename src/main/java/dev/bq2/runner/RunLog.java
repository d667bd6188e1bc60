package dev.bq2.runner;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The runner's own log lines on stdout, in the existing tool's short format
 * (`2026-02-23T14:41:25.685363Z   INFO - message`, see docs/formats.md), so scripts that grep its
 * markers keep working.
 */
public final class RunLog {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private final PrintWriter out;
  private final boolean lines;

  public RunLog(PrintWriter out) {
    this(out, true);
  }

  /**
   * {@code lines == false} keeps only the raw text: `LOG_LEVEL=NONE sysroot-runner --dry-run`
   * prints the bare JSON, as the existing tool does with that setting, so the two compare byte
   * for byte (docs/runner.md).
   */
  public RunLog(PrintWriter out, boolean lines) {
    this.out = out;
    this.lines = lines;
  }

  public void info(String message) {
    line("INFO", message);
  }

  /**
   * Detail people need only when digging (a tolerated `make distclean` that failed): in the log
   * file, never shown by `iterate` or the demo.
   */
  public void debug(String message) {
    line("DEBUG", message);
  }

  public void warn(String message) {
    line("WARN", message);
  }

  public void error(String message) {
    line("ERROR", message);
  }

  /** Raw text (dry-run JSON, console echo of command output). */
  public synchronized void raw(String text) {
    out.print(text);
    out.flush();
  }

  /** One entry per line: newlines inside a message (multi-line shell scripts) are escaped. */
  private synchronized void line(String level, String message) {
    if (!lines) return;
    message = message.replace("\r", "\\r").replace("\n", "\\n");
    out.print(TS.format(Instant.now()) + " " + String.format(Locale.ROOT, "%6s", level) + " - " + message + "\n");
    out.flush();
  }

  /** `N.NNNs` from one second up, `N.Nms` below, as the existing tool prints durations. */
  public static String duration(Duration d) {
    double ms = d.toNanos() / 1e6;
    if (ms >= 1000) return String.format(Locale.ROOT, "%.3fs", ms / 1000);
    return String.format(Locale.ROOT, "%.1fms", ms);
  }
}
