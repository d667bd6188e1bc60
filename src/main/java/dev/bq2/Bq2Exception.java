package dev.bq2;

/**
 * A failure that ends a command with a documented exit code and a one-line message. The CLI
 * layer prints {@link #getMessage()} and exits with {@link #exitCode()}.
 */
public class Bq2Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public Bq2Exception(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public Bq2Exception(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad input (exit 2): say what is wrong, where, and how to fix it, on one line. */
  public static Bq2Exception badInput(String message) {
    return new Bq2Exception(ExitCodes.BAD_INPUT, message);
  }

  /** Stopped and needs a person (exit 3). */
  public static Bq2Exception needsPerson(String message) {
    return new Bq2Exception(ExitCodes.NEEDS_PERSON, message);
  }
}
