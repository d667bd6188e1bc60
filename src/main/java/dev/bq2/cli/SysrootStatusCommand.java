package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.json.Json;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.state.Status;
import dev.bq2.state.StatusCache;
import java.nio.file.Files;
import java.nio.file.Path;
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
    PrintWriter out = spec.commandLine().getOut();
    // A warning on stderr (a stale overrides entry) must be seen again next time, so it rules the cache out.
    Stderr err = new Stderr(spec.commandLine().getErr());
    spec.commandLine().setErr(err);
    java.util.function.Consumer<String> warn = w -> {
      err.println("bq2: warning: " + TerminalText.escape(w));
      err.flush();
    };
    if (json || noOverrides) {
      PhaseStatus r = Status.compute(paths.layout(), !noOverrides, warn);
      out.println(json ? Json.line(r) : text(r));
    } else {
      out.print(StatusCache.renderAndKeep(paths.layout(), launcherJar(), Bq2.configFile(),
          () -> text(Status.compute(paths.layout(), true, warn)) + "\n", () -> !err.used));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static String text(PhaseStatus r) {
    // last_failure is a build's error text
    return String.join("\n", r.lines().stream().map(TerminalText::escape).toList());
  }

  /** `target/bq2.jar` of the launcher that started us (the cache is tied to that build), or null. */
  static Path launcherJar() {
    String home = System.getProperty("bq2.home");
    if (home == null) return null;
    Path jar = Path.of(home, "target", "bq2.jar");
    return Files.isRegularFile(jar) ? jar : null;
  }

  /** The command's stderr, remembering whether anything was written to it. */
  static final class Stderr extends PrintWriter {
    boolean used;

    Stderr(PrintWriter to) {
      super(to, true);
    }

    @Override
    public void write(int c) {
      used = true;
      super.write(c);
    }

    @Override
    public void write(char[] buf, int off, int len) {
      used = true;
      super.write(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      used = true;
      super.write(s, off, len);
    }
  }
}
