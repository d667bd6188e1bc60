package dev.bq2;

/** The exit codes every bq2 command uses; documented in `bq2 --help` and the README. */
public final class ExitCodes {
  /** Done: the plan (or phase) completed, or there was nothing to do. */
  public static final int OK = 0;
  /** A build step failed; a failure report was written. */
  public static final int STEP_FAILED = 1;
  /** Bad input or usage: a file, a flag or a name is wrong; nothing ran. */
  public static final int BAD_INPUT = 2;
  /** Stopped and needs a person: no safe fix known, a limit or deadline reached, a full or read-only disk. */
  public static final int NEEDS_PERSON = 3;
  /** Interrupted by SIGINT. */
  public static final int INTERRUPTED = 130;
  /** Terminated by SIGTERM. */
  public static final int TERMINATED = 143;

  private ExitCodes() {}

  /** The exit-code block of every command's `--help` (picocli's exitCodeList), one definition for all. */
  public static final java.util.Map<String, String> HELP_LIST = helpList();

  private static java.util.Map<String, String> helpList() {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("0", "done (or nothing to do)");
    m.put("1", "a build step failed (see the failure report)");
    m.put("2", "bad input or usage (the message names the file, place and fix)");
    m.put("3", "stopped and needs a person (no safe fix, limit or deadline reached, disk full or read-only)");
    m.put("130", "interrupted (SIGINT)");
    m.put("143", "terminated (SIGTERM)");
    return java.util.Collections.unmodifiableMap(m);
  }

}
