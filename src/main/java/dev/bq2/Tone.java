package dev.bq2;

import java.util.regex.Pattern;
import org.jline.utils.AttributedStyle;

/**
 * What a line of ours means to someone glancing at a terminal: an error, a fix, a warning or
 * nothing special. Read from the words themselves, so a line looks the same whether the
 * autopilot prints it or `iterate --attach` shows it from the detached autopilot's log.
 */
public enum Tone {
  PLAIN(AttributedStyle.DEFAULT),
  ERROR(AttributedStyle.DEFAULT.foreground(AttributedStyle.RED).bold()),
  WARN(AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW)),
  FIX(AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN)),
  /** Labels and marks (`[phase/step]`, the status line's separators). */
  DIM(AttributedStyle.DEFAULT.faint());

  private static final Pattern RUNNER_LEVEL = Pattern.compile("^\\S+\\s+(ERROR|FATAL|WARN)\\s+-\\s");
  private static final Pattern FAILED = Pattern.compile(
      "^(bq2: |iterate: (#\\d+ (failed:|.* failed:|.* proposal rejected|runner killed)|stopped, needs a person|interrupted))");
  private static final Pattern FIXED = Pattern.compile("^iterate: (#\\d+ .* → .*applied|phase \\S+ complete|plan complete)");
  private static final Pattern WARNED = Pattern.compile("^iterate: (#\\d+ (the delta did not help|.* knows no safe fix)|next: )");

  private final AttributedStyle style;

  Tone(AttributedStyle style) {
    this.style = style;
  }

  AttributedStyle style() {
    return style;
  }

  public static Tone of(String line) {
    if (line == null) return PLAIN;
    var m = RUNNER_LEVEL.matcher(line);
    if (m.find()) return m.group(1).equals("WARN") ? WARN : ERROR;
    if (FAILED.matcher(line).find()) return ERROR;
    if (FIXED.matcher(line).find()) return FIX;
    if (WARNED.matcher(line).find()) return WARN;
    return PLAIN;
  }
}
