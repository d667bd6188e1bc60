package dev.bq2;

import java.time.Duration;

/** Durations as people write them on the command line (`30s`, `2h`, `1h30m`), never `PT30S`. */
public final class Durations {
  private Durations() {}

  public static String text(Duration d) {
    if (d == null) return "none";
    if (d.isNegative()) return "-" + text(d.negated());
    if (d.toMillis() < 1000) return d.toMillis() + "ms";
    long s = d.getSeconds();
    long h = s / 3600;
    long m = s % 3600 / 60;
    long sec = s % 60;
    long ms = d.toMillisPart();
    StringBuilder b = new StringBuilder();
    if (h > 0) b.append(h).append('h');
    if (m > 0) b.append(m).append('m');
    if (sec > 0 || ms > 0 || b.length() == 0) {
      b.append(sec);
      if (ms > 0 && h == 0 && m == 0) b.append('.').append(String.format("%03d", ms).replaceAll("0+$", ""));
      b.append('s');
    }
    return b.toString();
  }
}
