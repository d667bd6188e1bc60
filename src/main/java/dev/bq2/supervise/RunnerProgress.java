package dev.bq2.supervise;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a runner is, read from the progress lines it logs (docs/formats.md#upstream-formats): `Executing phase
 * <p>`, `Executing <n> build steps`, `Skipping previously completed <p>/<s>`, `Building <s> in
 * <dir> (phase=<p>)`, `Finished <s>`, `Completed|Failed phase <p>`. Lines may carry the
 * logger prefix `<ts> <LEVEL> - `.
 */
public final class RunnerProgress {
  private static final Pattern PREFIX = Pattern.compile("^(\\S+)\\s+(TRACE|DEBUG|INFO|NOTICE|WARN|ERROR|FATAL)\\s+-\\s+");
  private static final Pattern EXECUTING_PHASE = Pattern.compile("^Executing phase (\\S+)");
  private static final Pattern STEP_COUNT = Pattern.compile("^Executing (\\d+) build steps");
  private static final Pattern SKIPPING = Pattern.compile("^Skipping previously completed (\\S+)/(\\S+)");
  private static final Pattern BUILDING = Pattern.compile("^Building (\\S+) in .* \\(phase=([^)]+)\\)\\s*$");
  private static final Pattern FINISHED_STEP = Pattern.compile("^Finished (?!in )(\\S+)\\s*$");
  private static final Pattern PHASE_END = Pattern.compile("^(Completed|Failed) phase (\\S+)");

  private String phase;
  private String step;
  private int stepsTotal;
  private int stepsDone;
  private String phaseResult;
  private String lastLine = "";
  private Instant stepStartedAt;
  private String stepOutput;

  /** Updates from one log line; returns true when it was an ERROR line worth keeping on screen. */
  public boolean accept(String line) {
    Matcher pm = PREFIX.matcher(line);
    boolean error = false;
    String msg = line;
    String stamp = null;
    if (pm.find()) {
      stamp = pm.group(1);
      error = pm.group(2).equals("ERROR") || pm.group(2).equals("FATAL");
      msg = line.substring(pm.end());
    }
    if (!msg.isBlank()) lastLine = msg.strip();
    Matcher m;
    if ((m = EXECUTING_PHASE.matcher(msg)).find()) {
      phase = m.group(1);
      step = null;
      stepsTotal = 0;
      stepsDone = 0;
      phaseResult = null;
    } else if ((m = STEP_COUNT.matcher(msg)).find()) {
      stepsTotal = Integer.parseInt(m.group(1));
    } else if ((m = SKIPPING.matcher(msg)).find()) {
      // not counted: `Executing <n> build steps` counts only the steps this run will build
      phase = m.group(1);
    } else if ((m = BUILDING.matcher(msg)).find()) {
      step = m.group(1);
      phase = m.group(2);
      stepStartedAt = time(stamp);
      stepOutput = null;
    } else if ((m = FINISHED_STEP.matcher(msg)).find()) {
      stepsDone++;
    } else if ((m = PHASE_END.matcher(msg)).find()) {
      phase = m.group(2);
      phaseResult = m.group(1).toLowerCase(java.util.Locale.ROOT);
    }
    return error || msg.startsWith("Unhandled exception");
  }

  /** True for a line the runner logged itself (`<ts> <LEVEL> - …`), not build output or anyone else's. */
  public static boolean isRunnerLine(String line) {
    return PREFIX.matcher(line).find();
  }

  /** One line of the current step's own output (its step log). */
  public void acceptStepOutput(String line) {
    if (!line.isBlank()) stepOutput = line.strip();
  }

  /** `phase/step` of the step being built, or null before the first one. */
  public String stepKey() {
    return step == null ? null : phase + "/" + step;
  }

  /** When the current step started: its `Building` line's time stamp, else when we read that line. */
  public Instant stepStartedAt() {
    return stepStartedAt;
  }

  /** 1-based position of the current step among the steps this run builds (0 when unknown). */
  public int stepNumber() {
    if (step == null || stepsTotal == 0) return 0;
    return "completed".equals(phaseResult) ? stepsTotal : Math.min(stepsTotal, stepsDone + 1);
  }

  private static Instant time(String stamp) {
    if (stamp == null) return Instant.now();
    try {
      return Instant.parse(stamp);
    } catch (DateTimeParseException e) {
      return Instant.now();
    }
  }

  public String phase() {
    return phase;
  }

  public String step() {
    return step;
  }

  public int stepsDone() {
    return stepsDone;
  }

  public int stepsTotal() {
    return stepsTotal;
  }

  /** `completed` / `failed` once the phase ended, else null. */
  public String phaseResult() {
    return phaseResult;
  }

  /** The newest line of the current step's output when there is one, else of the runner's log. */
  public String lastLine() {
    return stepOutput != null ? stepOutput : lastLine;
  }
}
