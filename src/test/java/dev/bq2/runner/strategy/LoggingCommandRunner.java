package dev.bq2.runner.strategy;

import dev.bq2.runner.CommandRunner;
import dev.bq2.runner.StepFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test-only CommandRunner: really runs each command with ProcessBuilder, merged stdout/stderr
 * appended to one log file, and remembers the argv it ran so tests can check the sequence.
 */
final class LoggingCommandRunner implements CommandRunner {
  private final Path log;
  final List<List<String>> ran = new ArrayList<>();
  final List<Path> dirs = new ArrayList<>();
  final List<Map<String, String>> envs = new ArrayList<>();

  LoggingCommandRunner(Path log) {
    this.log = log;
  }

  @Override
  public void run(List<String> argv, Path cwd, Map<String, String> env)
      throws StepFailedException, InterruptedException {
    int exit = runTolerant(argv, cwd, env);
    if (exit != 0) throw StepFailedException.commandFailed(argv, exit);
  }

  @Override
  public int runTolerant(List<String> argv, Path cwd, Map<String, String> env) throws InterruptedException {
    ran.add(List.copyOf(argv));
    dirs.add(cwd);
    envs.add(Map.copyOf(env));
    note("$ " + String.join(" ", argv));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      return pb.start().waitFor();
    } catch (IOException e) {
      note("cannot start " + argv.get(0) + ": " + e.getMessage());
      return 127;
    }
  }

  @Override
  public void note(String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Path logFile() {
    return log;
  }

  String logText() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The commands that ran, each joined by spaces, for readable assertions. */
  List<String> commandLines() {
    return ran.stream().map(a -> String.join(" ", a)).toList();
  }
}
