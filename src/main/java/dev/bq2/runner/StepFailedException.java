package dev.bq2.runner;

import java.util.List;

/**
 * A step failed. `command`/`exitCode` are set only when an external command failed (they become
 * the report's `command`/`exit_code`, interop.md §4.2); patch, download and file errors leave
 * them null.
 */
public class StepFailedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<String> command;
  private final Integer exitCode;

  public StepFailedException(String message) {
    this(message, null, null, null);
  }

  public StepFailedException(String message, List<String> command, Integer exitCode, Throwable cause) {
    super(message, cause);
    this.command = command == null ? null : List.copyOf(command);
    this.exitCode = exitCode;
  }

  /** `Command failed (<exit>): <argv joined by spaces>`, the existing tool's message. */
  public static StepFailedException commandFailed(List<String> argv, int exit) {
    return new StepFailedException("Command failed (" + exit + "): " + String.join(" ", argv), argv, exit, null);
  }

  public List<String> command() {
    return command;
  }

  public Integer exitCode() {
    return exitCode;
  }
}
