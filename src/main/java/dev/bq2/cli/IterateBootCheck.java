package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.autopilot.IterateOptions;
import dev.bq2.boot.BootRequest;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/**
 * `iterate --boot-check ARGS`: the value is split like a shell would ({@link ShellWords}) and read
 * by `bq2 boot-check`'s own options, before anything is built, so a typo is exit 2 at once and
 * not after the night's build. Files are checked when the check runs: the kernel or image may
 * be what the plan builds.
 */
final class IterateBootCheck {
  private IterateBootCheck() {}

  /** The boot-check step; its session root is iterate's unless ARGS name one (`--session-dir`). */
  static IterateOptions.BootCheckStep parse(String args, Path sessionRoot) {
    List<String> words = ShellWords.split("--boot-check", args);
    BootCheckCommand c = new BootCheckCommand();
    try {
      CommandLine.ParseResult parsed = new CommandLine(c).parseArgs(words.toArray(String[]::new));
      if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
        throw Bq2Exception.badInput("--boot-check " + args + ": --help is not a check; see `bq2 boot-check --help`");
      }
    } catch (CommandLine.ParameterException e) {
      throw Bq2Exception.badInput("--boot-check " + args + ": " + e.getMessage() + "; the value holds `bq2 boot-check` "
          + "arguments (see `bq2 boot-check --help`)");
    }
    BootRequest request = c.request("--boot-check ", c.sessionDir != null ? c.sessionDir : sessionRoot);
    return new IterateOptions.BootCheckStep(args, request);
  }
}
