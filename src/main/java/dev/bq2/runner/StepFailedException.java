package dev.bq2.runner;

import java.util.List;

/**
 * A step failed. `command`/`exitCode` are set only when an external command failed (they become
 * the report's `command`/`exit_code`, docs/formats.md#upstream-formats); patch, download and file errors leave
 * them null.
 */
public class StepFailedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<String> command;
  private final Integer exitCode;
  private final Long outputOffset;

  public StepFailedException(String message) {
    this(message, null, null, null);
  }

  public StepFailedException(String message, List<String> command, Integer exitCode, Throwable cause) {
    this(message, command, exitCode, null, cause);
  }

  /**
   * @param outputOffset bytes into the step log where the failed command's own output begins
   *     (the report's `output_offset`), null when no command failed or it is not known
   */
  public StepFailedException(String message, List<String> command, Integer exitCode, Long outputOffset,
      Throwable cause) {
    super(message, cause);
    this.command = command == null ? null : List.copyOf(command);
    this.exitCode = exitCode;
    this.outputOffset = outputOffset;
  }

  /** `Command failed (<exit>): <argv joined by spaces>`, the existing tool's message. */
  public static StepFailedException commandFailed(List<String> argv, int exit) {
    return commandFailed(argv, exit, null);
  }

  /** As {@link #commandFailed(List, int)}, with where the command's output starts in the step log. */
  public static StepFailedException commandFailed(List<String> argv, int exit, Long outputOffset) {
    return new StepFailedException("Command failed (" + exit + "): " + String.join(" ", argv), argv, exit,
        outputOffset, null);
  }

  public List<String> command() {
    return command;
  }

  public Integer exitCode() {
    return exitCode;
  }

  /** Bytes into the step log where the failed command's output begins; null when unknown. */
  public Long outputOffset() {
    return outputOffset;
  }
}
