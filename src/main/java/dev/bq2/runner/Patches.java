package dev.bq2.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the step's patches in order in `ctx.cwd()` before the build (docs/formats.md#upstream-formats) with
 * the system `patch`. Each patch is first dry-run at -p1 (git `a/` `b/` paths), then -p0 (plain
 * paths); a patch whose reverse dry run applies is already in the tree and is skipped, so a
 * rerun after a later failure does not fail on its own earlier work.
 */
public final class Patches {
  private static final Pattern CHECKING = Pattern.compile("^(?:checking|patching) file (.+)$");
  private static final Pattern HUNK_FAILED = Pattern.compile("^(Hunk #\\d+ FAILED at \\d+)");
  private static final List<String> LEVELS = List.of("-p1", "-p0");

  private Patches() {}

  /** Applies each patch in `ctx.cwd()`; already-applied patches are detected and skipped. */
  public static void applyAll(StepContext ctx) throws StepFailedException, InterruptedException {
    for (String patch : ctx.step().patches()) {
      apply(ctx, patch);
    }
  }

  private static void apply(StepContext ctx, String patch) throws StepFailedException, InterruptedException {
    Path file = ctx.resolve(patch);
    if (!Files.isRegularFile(file)) {
      throw new StepFailedException("Missing patch file " + file + " (listed in patches of step "
          + ctx.step().name() + "); fix the path or remove it from the step's patches");
    }
    String bestOutput = null;
    for (String level : LEVELS) {
      Captured forward = capture(ctx, List.of("patch", level, "--forward", "--batch", "--dry-run", "-i", file.toString()));
      if (forward.exit == 0) {
        ctx.commands().run(List.of("patch", level, "--forward", "--batch", "--no-backup-if-mismatch",
            "-i", file.toString()), ctx.cwd(), ctx.env());
        ctx.commands().note("Applied patch " + patch + " (" + level + ")");
        return;
      }
      Captured reverse = capture(ctx, List.of("patch", level, "-R", "--batch", "--dry-run", "-i", file.toString()));
      if (reverse.exit == 0) {
        ctx.commands().note("Patch already applied; skipping " + patch);
        return;
      }
      // Prefer the level at which patch found the files: its output names the failing hunks.
      if (bestOutput == null || bestOutput.contains("can't find file to patch")) bestOutput = forward.output;
      ctx.commands().note("patch " + level + " --dry-run of " + patch + " failed:\n" + forward.output.stripTrailing());
    }
    throw new StepFailedException("Patch " + patch + " does not apply: " + describeFailure(bestOutput));
  }

  /** `Hunks failed to apply for <file> (Hunk #2 FAILED at 14; ...)` from GNU patch output. */
  public static String describeFailure(String output) {
    String current = null;
    List<String> failures = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (String line : output.split("\n")) {
      Matcher m = CHECKING.matcher(line.trim());
      if (m.matches()) {
        current = m.group(1).replaceAll("^'(.*)'$", "$1");
        continue;
      }
      Matcher h = HUNK_FAILED.matcher(line.trim());
      if (h.find()) {
        if (!files.contains(current)) files.add(current);
        failures.add(current + ": " + h.group(1));
      }
    }
    if (!failures.isEmpty()) {
      return "Hunks failed to apply for " + String.join(", ", files) + " (" + String.join("; ", failures) + ")";
    }
    if (output.contains("can't find file to patch")) {
      return "the files it names do not exist in the workdir (tried -p1 and -p0)";
    }
    String trimmed = output.strip();
    int nl = trimmed.indexOf('\n');
    return nl < 0 ? trimmed : trimmed.substring(0, nl) + " ...";
  }

  private record Captured(int exit, String output) {}

  /**
   * Runs a dry run directly to read its output (the command runner only logs); a dry run
   * changes nothing, and its output is copied into the step log when it matters.
   */
  private static Captured capture(StepContext ctx, List<String> argv) throws StepFailedException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv).directory(ctx.cwd().toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(ctx.env());
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new StepFailedException("Cannot run " + argv.get(0) + " (is GNU patch installed?): " + e.getMessage());
    }
    try (InputStream in = process.getInputStream()) {
      String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Captured(process.waitFor(), output);
    } catch (IOException e) {
      throw new StepFailedException("Cannot read output of " + String.join(" ", argv) + ": " + e.getMessage());
    } finally {
      if (process.isAlive()) process.destroyForcibly();
    }
  }
}
