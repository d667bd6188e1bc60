package dev.bq2.fleet;

import dev.bq2.Bq2Exception;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Runs one short command of a batch system (sbatch, squeue, sacct, scancel) under a watchdog:
 * a controller that does not answer must not hang `bq2 fleet`. A command that is not installed
 * is exit 3 naming the packages that bring it.
 */
final class EngineCommand {
  /** The output and exit status of one command. */
  record Result(int exit, String out, String err) {
    String lastErrLine() {
      String t = (err.isBlank() ? out : err).strip();
      int nl = t.lastIndexOf('\n');
      return t.isEmpty() ? "(no output)" : t.substring(nl + 1);
    }
  }

  private final Duration timeout;
  private final String install;
  private final Map<String, String> env;

  /**
   * {@code install}: what to install when a command is missing (named in the error);
   * {@code env}: added to our environment (tests name their cluster's SLURM_CONF).
   */
  EngineCommand(Duration timeout, String install, Map<String, String> env) {
    this.timeout = timeout;
    this.install = install;
    this.env = Map.copyOf(env);
  }

  Result run(List<String> argv, Path cwd) throws InterruptedException {
    CommandLine line = new CommandLine(argv.get(0));
    line.addArguments(argv.subList(1, argv.size()).toArray(String[]::new), false);
    ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    DefaultExecutor executor = DefaultExecutor.builder()
        .setWorkingDirectory(cwd == null ? new java.io.File(".") : cwd.toFile())
        .setExecuteStreamHandler(new PumpStreamHandler(out, err, InputStream.nullInputStream()))
        .get();
    executor.setWatchdog(watchdog);
    executor.setExitValues(null);
    int exit;
    try {
      Map<String, String> all = new HashMap<>(System.getenv());
      all.putAll(env);
      exit = executor.execute(line, all);
    } catch (IOException e) {
      throw Bq2Exception.needsPerson("cannot run `" + argv.get(0) + "`: " + e.getMessage() + "; " + install);
    }
    if (Thread.interrupted()) throw new InterruptedException();
    if (watchdog.killedProcess()) {
      throw Bq2Exception.needsPerson("`" + String.join(" ", argv) + "` did not answer in " + timeout.toSeconds()
          + " s; is the controller up (`sinfo`)?");
    }
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
