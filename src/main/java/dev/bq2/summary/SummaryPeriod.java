package dev.bq2.summary;

import dev.bq2.Bq2Exception;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The period a summary covers: `--since 12h` (a duration back from now, as people write one:
 * `90m`, `1h30m`, `2d`) or `--since 2026-11-30T06:00:00Z` (a UTC time).
 */
public record SummaryPeriod(Instant since, Instant until, String asGiven) {
  private static final Pattern DURATION = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  public static SummaryPeriod parse(String text, Instant now) {
    String t = text == null ? "" : text.strip();
    Matcher m = DURATION.matcher(t);
    if (!t.isEmpty() && m.matches()) {
      try {
        Duration d = Duration.ofDays(n(m.group(1))).plusHours(n(m.group(2))).plusMinutes(n(m.group(3))).plusSeconds(n(m.group(4)));
        if (!d.isZero()) return new SummaryPeriod(now.minus(d), now, t);
      } catch (ArithmeticException | java.time.DateTimeException e) {
        throw Bq2Exception.badInput("--since " + t + ": too long ago; give a duration such as 12h or 2d");
      }
    } else if (t.contains("T")) {
      try {
        Instant since = Instant.parse(t);
        if (!since.isAfter(now)) return new SummaryPeriod(since, now, t);
        throw Bq2Exception.badInput("--since " + t + ": that time is in the future; give a past UTC time or a duration such as 12h");
      } catch (DateTimeParseException e) {
        // falls through to the one-line error below
      }
    }
    throw Bq2Exception.badInput("--since " + text + ": expected a duration such as 12h, 90m, 1h30m or 2d, or a UTC time such as "
        + "2026-11-30T06:00:00Z");
  }

  private static long n(String group) {
    if (group == null) return 0;
    try {
      return Long.parseLong(group);
    } catch (NumberFormatException e) {
      throw Bq2Exception.badInput("--since " + group + ": number too large; give a duration such as 12h or 2d");
    }
  }
}
