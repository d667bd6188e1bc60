package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.json.Json;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.state.Status;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 sysroot-status`: where the build stands, as `key=value` lines or one JSON object. */
@Command(
    name = "sysroot-status",
    mixinStandardHelpOptions = true,
    description = "Print plan/state paths, the next incomplete phase and step, and the last failure.")
public class SysrootStatusCommand implements Callable<Integer> {
  @Mixin RootfsOptions paths;

  @Option(names = "--json", description = "Print one JSON object with the same keys.")
  boolean json;

  @Option(names = "--no-overrides", description = "Ignore the overrides file.")
  boolean noOverrides;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PhaseStatus r = Status.compute(paths.layout(), !noOverrides,
        w -> err.println("bq2: warning: " + TerminalText.escape(w)));
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.line(r));
    } else {
      r.lines().forEach(l -> out.println(TerminalText.escape(l))); // last_failure is a build's error text
    }
    out.flush();
    return ExitCodes.OK;
  }
}
