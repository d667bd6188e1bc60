package dev.bq2.rootfs;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a `sysroot-status` command and reads its answer. The existing tool prints its lines
 * through the logger since c7fe61f and bare before that (docs/formats.md#upstream-formats), so both
 * `key=value` and `<ts> <LEVEL> - key=value` are accepted; `LOG_LEVEL=INFO` is forced, as a
 * higher level would print nothing.
 */
public final class StatusProbe {
  /** Optional logger prefix (`2026-02-23T14:41:25.685363Z   INFO - `), then `key=value`. */
  private static final Pattern LINE =
      Pattern.compile("^(?:\\S+\\s+[A-Z]+\\s+-\\s+)?([a-z_]+)=(.*)$");
  private static final int OUTPUT_LIMIT = 1 << 20;

  private final long timeoutSeconds;

  public StatusProbe() {
    this(300);
  }

  public StatusProbe(long timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Runs {@code argv} in {@code cwd} and parses its output; a failure is exit 2 with its last
   * line. Commons Exec pumps the output on its own thread, so the watchdog bounds a status
   * command that hangs with its output still open.
   */
  public PhaseStatus probe(List<String> argv, Path cwd) throws InterruptedException {
    String cmd = String.join(" ", argv);
    CommandLine line = new CommandLine(argv.get(0));
    line.addArguments(argv.subList(1, argv.size()).toArray(String[]::new), false);
    ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(Duration.ofSeconds(timeoutSeconds)).get();
    BoundedOutput output = new BoundedOutput(OUTPUT_LIMIT);
    DefaultExecutor executor = DefaultExecutor.builder()
        .setWorkingDirectory(cwd != null ? cwd.toFile() : new java.io.File("."))
        .setExecuteStreamHandler(new PumpStreamHandler(output, output, InputStream.nullInputStream()))
        .get();
    executor.setWatchdog(watchdog);
    executor.setExitValues(null); // every exit code is an answer; judged below
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("LOG_LEVEL", "INFO");
    int exit;
    try {
      exit = executor.execute(line, env);
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot start status command `" + cmd + "`: " + e.getMessage()
          + "; pass --status-command CMD");
    }
    if (watchdog.killedProcess()) {
      throw Bq2Exception.needsPerson("status command `" + cmd + "` did not finish in " + timeoutSeconds + " s");
    }
    String text = output.text();
    if (exit != 0) {
      throw new Bq2Exception(ExitCodes.BAD_INPUT, "status command `" + cmd + "` exited " + exit
          + (exit == 255 ? " (no workspace found)" : "") + ": " + lastLine(text)
          + "; check --rootfs / --repo or pass --status-command CMD");
    }
    return parse(text, cmd);
  }

  /** Keeps the first {@code limit} bytes; a runaway status command cannot grow the heap. */
  private static final class BoundedOutput extends OutputStream {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int limit;

    BoundedOutput(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
      if (kept.size() < limit) kept.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int room = limit - kept.size();
      if (room > 0) kept.write(b, off, Math.min(room, len));
    }

    synchronized String text() {
      return kept.toString(StandardCharsets.UTF_8);
    }
  }

  /** Parses status output; {@code source} names the command in errors. */
  public static PhaseStatus parse(String output, String source) {
    Map<String, String> kv = new HashMap<>();
    for (String line : output.split("\r?\n")) {
      Matcher m = LINE.matcher(line.strip());
      if (m.matches()) kv.putIfAbsent(m.group(1), m.group(2).strip());
    }
    if (!kv.containsKey("next_phase")) {
      throw Bq2Exception.badInput("status command `" + source + "` printed no next_phase= line (last line: "
          + lastLine(output) + "); check that it is a sysroot-status command");
    }
    return new PhaseStatus(kv.get("plan_path"), kv.get("state_path"), kv.get("report_dir"),
        kv.get("current_phase"), kv.get("next_phase"), kv.get("next_step"), kv.get("last_failure"),
        kv.get("last_failure_report"));
  }

  private static String lastLine(String output) {
    List<String> lines = new ArrayList<>();
    for (String l : output.split("\r?\n")) if (!l.isBlank()) lines.add(l.strip());
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }
}
