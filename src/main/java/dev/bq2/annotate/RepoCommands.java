package dev.bq2.annotate;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.assistant.AssistantProcess;
import dev.bq2.json.AtomicFile;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.PlanFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The builder repo's own commands, run with `sh -c` in the repo root in a process group of their
 * own (killed whole at the timeout): the plan command that regenerates the plan, and the checks.
 */
public final class RepoCommands {
  /** How a check ended; {@code log} holds its stdout and stderr. */
  public record CheckResult(String command, int exitCode, boolean timedOut, Path log, String tail) {
    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }
  }

  private RepoCommands() {}

  /**
   * Runs the plan command; the plan is what it writes to `$BQ2_PLAN_OUT` when it writes there,
   * else its stdout. A failure or a plan that does not parse is a verification failure (exit 3).
   */
  public static BuildPlan plan(String command, Path repo, Duration timeout, Path workDir) throws InterruptedException {
    return plan(command, repo, timeout, workDir, null);
  }

  /**
   * As {@link #plan(String, Path, Duration, Path)}, for a builder that writes the plan where it
   * always does, the rootfs's own plan file {@code rootfsPlan} (the upstream tool's
   * `sysroot-plan-write` does, and logs to stdout): when `$BQ2_PLAN_OUT` stays empty and that file
   * changed, the plan is taken from it and its previous bytes are put back, so the rootfs plan
   * changes only when back-annotation commits.
   */
  public static BuildPlan plan(String command, Path repo, Duration timeout, Path workDir, Path rootfsPlan)
      throws InterruptedException {
    Path outFile = workDir.resolve("regenerated-plan.json");
    StringBuilder stdout = new StringBuilder();
    AssistantProcess.Result r;
    byte[] rootfsBefore;
    try {
      rootfsBefore = rootfsPlan != null && Files.isRegularFile(rootfsPlan) ? Files.readAllBytes(rootfsPlan) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + rootfsPlan, e);
    }
    try {
      Files.deleteIfExists(outFile);
      r = AssistantProcess.run(List.of("sh", "-c", command), repo, Map.of("BQ2_PLAN_OUT", outFile.toString()), "",
          timeout, l -> stdout.append(l).append('\n'));
    } catch (IOException e) {
      throw Bq2Exception.badInput("--plan-command " + command + ": cannot start sh (" + e.getMessage() + ")");
    }
    byte[] written = putBack(rootfsPlan, rootfsBefore);
    if (r.timedOut()) {
      throw verification("the plan command `" + command + "` did not finish within " + timeout.toSeconds() + " s");
    }
    if (r.exitCode() != 0) {
      throw verification("the plan command `" + command + "` exited " + r.exitCode() + ": " + lastLine(r.stderrTail()));
    }
    try {
      boolean toOut = Files.exists(outFile) && Files.size(outFile) > 0;
      String text = toOut ? Files.readString(outFile)
          : written != null ? new String(written, StandardCharsets.UTF_8) : stdout.toString();
      if (!toOut) Files.writeString(outFile, text);
      return PlanFiles.parsePlan(outFile, text);
    } catch (IOException e) {
      throw verification("cannot read the plan command's output " + outFile + ": " + e.getMessage());
    } catch (Bq2Exception e) {
      throw verification("the plan command `" + command + "` did not produce a valid plan: " + e.getMessage());
    }
  }

  /** The bytes the command wrote to {@code rootfsPlan} (null: unchanged), after putting {@code before} back. */
  private static byte[] putBack(Path rootfsPlan, byte[] before) {
    if (rootfsPlan == null || !Files.isRegularFile(rootfsPlan)) return null;
    try {
      byte[] now = Files.readAllBytes(rootfsPlan);
      if (Arrays.equals(now, before)) return null;
      if (before != null) AtomicFile.write(rootfsPlan, before);
      return now;
    } catch (IOException e) {
      throw new UncheckedIOException("the plan command rewrote " + rootfsPlan + " and it cannot be put back"
          + " (copy the archived sysroot-build-plan.json there)", e);
    }
  }

  /** Runs one check; stdout and stderr go to {@code log}. */
  public static CheckResult check(String command, Path repo, Duration timeout, Path log) throws InterruptedException {
    StringBuilder out = new StringBuilder();
    AssistantProcess.Result r;
    try {
      r = AssistantProcess.run(List.of("sh", "-c", "exec 2>&1\n" + command), repo, Map.of(), "", timeout,
          l -> out.append(l).append('\n'));
      Files.createDirectories(log.getParent());
      Files.writeString(log, "$ " + command + "\n" + out);
    } catch (IOException e) {
      throw Bq2Exception.badInput("--check " + command + ": cannot start sh (" + e.getMessage() + ")");
    }
    String[] lines = out.toString().strip().split("\n");
    String tail = String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 15), lines.length));
    return new CheckResult(command, r.exitCode(), r.timedOut(), log, tail);
  }

  static Bq2Exception verification(String message) {
    return new Bq2Exception(ExitCodes.NEEDS_PERSON, message);
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines.length == 0 || lines[lines.length - 1].isBlank() ? "(no output on stderr)" : lines[lines.length - 1].strip();
  }
}
