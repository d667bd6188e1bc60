package dev.bq2.rootfs;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a `sysroot-status` command and reads its answer. The existing tool prints its lines
 * through the logger since c7fe61f and bare before that (interop.md §5), so both
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

  /** Runs {@code argv} in {@code cwd} and parses its output; a failure is exit 2 with its last line. */
  public PhaseStatus probe(List<String> argv, Path cwd) throws InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    if (cwd != null) pb.directory(cwd.toFile());
    pb.environment().put("LOG_LEVEL", "INFO");
    String cmd = String.join(" ", argv);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot start status command `" + cmd + "`: " + e.getMessage()
          + "; pass --status-command CMD");
    }
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readNBytes(OUTPUT_LIMIT), StandardCharsets.UTF_8);
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      p.destroyForcibly();
      throw Bq2Exception.badInput("cannot read the output of `" + cmd + "`: " + e.getMessage());
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw Bq2Exception.needsPerson("status command `" + cmd + "` did not finish in " + timeoutSeconds + " s");
    }
    int exit = p.exitValue();
    if (exit != 0) {
      throw new Bq2Exception(ExitCodes.BAD_INPUT, "status command `" + cmd + "` exited " + exit
          + (exit == 255 ? " (no workspace found)" : "") + ": " + lastLine(output)
          + "; check --rootfs / --repo or pass --status-command CMD");
    }
    return parse(output, cmd);
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
