package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.assistant.Assistants;
import dev.bq2.autopilot.IterateOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters that check an option's text when the command line is parsed, so a bad value
 * is one line (`bq2: Invalid value for option '--until' (HH:MM): '25:99' is not a time of day; …`,
 * exit 2) before the context is detected or anything runs; the config file is checked with the
 * same converters. Each returns the text unchanged: the commands parse it where they use it.
 */
final class Checked {
  private Checked() {}

  /** `--until HH:MM`: a local time of day. */
  static final class TimeOfDay implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      check(() -> IterateOptions.deadline(null, value), "'" + value + "' is not a time of day; use HH:MM, e.g. 06:30");
      return value;
    }
  }

  /** `--deadline`: an ISO-8601 instant with offset. */
  static final class Deadline implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      check(() -> IterateOptions.deadline(value, null),
          "'" + value + "' is not an ISO-8601 time with offset; use e.g. 2026-11-28T06:00:00Z");
      return value;
    }
  }

  /** A duration more than zero: `90s`, `15m`, `1h`, `500ms`, plain seconds. */
  static final class PositiveDuration implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      check(() -> AssistantOptions.duration("", value), "'" + value + "' is not a duration more than zero; use e.g. 90s, 15m or 1h");
      return value;
    }
  }

  /** A duration, or `0` for never (`--stall-timeout`). */
  static final class DurationOrNever implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.strip().equals("0")) return value;
      check(() -> AssistantOptions.duration("", value), "'" + value + "' is not a duration; use e.g. 45m or 2h (0 = never)");
      return value;
    }
  }

  /** `--assistant`: rules, auto or one of the assistants. */
  static final class AssistantName implements ITypeConverter<String> {
    static List<String> names() {
      List<String> all = new ArrayList<>(List.of("rules"));
      all.addAll(Assistants.NAMES);
      all.add("auto");
      return all;
    }

    @Override
    public String convert(String value) {
      return oneOf(value, names());
    }
  }

  /** `--assistant-sandbox`: Codex's sandbox modes. */
  static final class Sandbox implements ITypeConverter<String> {
    static final List<String> MODES = List.of("read-only", "workspace-write", "danger-full-access");

    @Override
    public String convert(String value) {
      return oneOf(value, MODES);
    }
  }

  static String oneOf(String value, List<String> allowed) {
    if (allowed.contains(value)) return value;
    throw new TypeConversionException("'" + value + "' is not one of " + String.join(", ", allowed));
  }

  private static void check(Runnable parse, String message) {
    try {
      parse.run();
    } catch (Bq2Exception e) {
      throw new TypeConversionException(message);
    }
  }
}
