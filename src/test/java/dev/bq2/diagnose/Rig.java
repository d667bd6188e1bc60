package dev.bq2.diagnose;

import dev.bq2.json.Json;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.runner.Interrupts;
import dev.bq2.runner.ProcessCommandRunner;
import dev.bq2.runner.RunLog;
import dev.bq2.runner.StepFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real builds for diagnosis tests: commands run through the runner's own {@link ProcessCommandRunner}
 * (one step log, `Running in`/`Finished in` notes), and the failure becomes a report as the runner writes it.
 */
final class Rig {
  final Path root;
  final Path logs;
  final Map<String, String> env = new LinkedHashMap<>();

  Rig(Path root) throws IOException {
    this.root = root;
    this.logs = Files.createDirectories(root.resolve("logs"));
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("LC_ALL", "C");
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  /** One command of a step. */
  record Cmd(List<String> argv, boolean tolerant) {
    static Cmd run(String... argv) {
      return new Cmd(List.of(argv), false);
    }

    static Cmd tolerant(String... argv) {
      return new Cmd(List.of(argv), true);
    }
  }

  /**
   * Runs the commands of one step in {@code cwd} into one step log, stops at the first failing
   * {@link Cmd#run} and returns its report (with `output_offset` unless {@code withOffset} is false);
   * fails the test when every command succeeds.
   */
  Path step(String stepName, Path cwd, Map<String, String> stepEnv, boolean withOffset, Cmd... cmds) throws Exception {
    Instant started = Instant.now();
    Path log = logs.resolve(ReportFiles.logName(started, "p", stepName));
    Map<String, String> full = new LinkedHashMap<>(env);
    full.putAll(stepEnv);
    StepFailedException failed = null;
    try (ProcessCommandRunner r = new ProcessCommandRunner(log, "p/" + stepName, false,
        new RunLog(new PrintWriter(new StringWriter())), Interrupts.none(), List.of(), Duration.ofSeconds(5))) {
      for (Cmd c : cmds) {
        if (c.tolerant()) {
          r.runTolerant(c.argv(), cwd, full);
        } else {
          r.run(c.argv(), cwd, full);
        }
      }
    } catch (StepFailedException e) {
      failed = e;
    }
    if (failed == null) throw new AssertionError("step " + stepName + " did not fail:\n" + Files.readString(log));
    FailureReport rep = new FailureReport(1, "x", new FailureReport.ReportPhase("p", "host", "/usr", null, Map.of()),
        new FailureReport.ReportStep(stepName, "shell", cwd.toString(), null, null, stepEnv, stepEnv, List.of(), List.of()),
        failed.command(), failed.exitCode(), log.toString(), failed.getMessage(), null, 0.1, null,
        withOffset ? failed.outputOffset() : null);
    return ReportFiles.write(logs, Instant.now(), rep);
  }

  static Diagnosis diagnose(Path report) {
    return Diagnoser.diagnose(report);
  }

  static String json(Diagnosis d) {
    return Json.pretty(DiagnosisJson.of(d));
  }
}
