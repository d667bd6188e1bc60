package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.runner.LogTail;
import dev.bq2.rootfs.Context;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.SupervisedRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `bq2 log`: the tail of the current (or newest) runner log. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Print the tail of the current or newest runner log.")
public class LogCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "40", description = "How many lines (default ${DEFAULT-VALUE}).")
  int lines;

  @Override
  public Integer call() throws IOException {
    Context ctx = context.detect();
    BackgroundRunner runner = BackgroundRunner.forRootfs(ctx.layout());
    Path log = runner.attach().map(SupervisedRun::log).or(() -> newestRunnerLog(runner.logDir()))
        .orElseThrow(() -> Bq2Exception.badInput("no runner log in " + runner.logDir() + "; start one with `bq2 iterate`"));
    System.out.println("==> " + log + " <==");
    LogTail.last(log, lines).forEach(l -> System.out.println(TerminalText.escape(l)));
    return ExitCodes.OK;
  }

  static Optional<Path> newestRunnerLog(Path dir) {
    if (!Files.isDirectory(dir)) return Optional.empty();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("sysroot-runner-") && p.toString().endsWith(".log"))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
