package dev.bq2.cli;

import dev.bq2.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `bq2 overrides diff|show|history|revert|prune`: the overrides file, its origin, its reverse, its stale entries. */
@Command(name = "overrides", mixinStandardHelpOptions = true,
    description = "Inspect and edit the overrides: diff two plans into overrides, show what is in force and why, list and revert deltas, prune stale entries.",
    subcommands = {OverridesDiffCommand.class, OverridesShowCommand.class, OverridesHistoryCommand.class,
        OverridesRevertCommand.class, OverridesPruneCommand.class})
public class OverridesCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.BAD_INPUT;
  }
}
