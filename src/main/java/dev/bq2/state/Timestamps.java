package dev.bq2.state;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The two time formats of the existing tool: state (`2026-02-23 15:12:35 UTC`) and reports/file names (`20260223T154034.392Z`). */
public final class Timestamps {
  private static final DateTimeFormatter STATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter COMPACT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter FILE_SECONDS =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  public static String state(Instant t) {
    return STATE.format(t);
  }

  public static String compact(Instant t) {
    return COMPACT.format(t);
  }

  /** `20260223T154034Z`, the seeds' log-name format. */
  public static String fileSeconds(Instant t) {
    return FILE_SECONDS.format(t);
  }
}
