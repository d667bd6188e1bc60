package dev.bq2.autopilot;

import dev.bq2.Bq2Exception;
import dev.bq2.boot.BootRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * How one autopilot run behaves. Limits stop the run with exit 3 (needs a person).
 *
 * @param sessionsDir null: the repo's `session/` when a repo was found, else
 *     `<rootfs>/var/lib/sysroot-build-sessions/`
 * @param allPhases keep going phase after phase until the plan is complete (the demo does)
 * @param deadline stop before starting another runner after this instant (null: none)
 * @param runnerArgs extra arguments for our runner (e.g. `--jobs 2`)
 * @param stallTimeout stop a runner that was idle this long: no runner or step log grew, no CPU
 *     used by its process tree (null: never)
 * @param bootCheck the boot check to run once the plan is complete (`--boot-check ARGS`), or null
 */
public record IterateOptions(
    Path sessionsDir,
    int maxAttemptsPerStep,
    int maxIterations,
    Instant deadline,
    boolean allPhases,
    List<String> runnerArgs,
    PrintStream out,
    boolean terminal,
    Duration stallTimeout,
    BootCheckStep bootCheck) {

  public IterateOptions {
    runnerArgs = runnerArgs == null ? List.of() : List.copyOf(runnerArgs);
  }

  /** Without a boot check. */
  public IterateOptions(Path sessionsDir, int maxAttemptsPerStep, int maxIterations, Instant deadline, boolean allPhases,
      List<String> runnerArgs, PrintStream out, boolean terminal, Duration stallTimeout) {
    this(sessionsDir, maxAttemptsPerStep, maxIterations, deadline, allPhases, runnerArgs, out, terminal, stallTimeout, null);
  }

  /**
   * `iterate --boot-check ARGS`: the request to boot once `next_phase` is `complete`.
   *
   * @param args the arguments as given (journaled, and shown to say how to rerun the check)
   */
  public record BootCheckStep(String args, BootRequest request) {}

  /**
   * The earlier of `--deadline` (an ISO-8601 instant) and `--until` (the next time the local clock
   * shows HH:MM); null when neither is given.
   */
  public static Instant deadline(String deadline, String until) {
    Instant d = null;
    if (deadline != null) {
      try {
        d = OffsetDateTime.parse(deadline).toInstant();
      } catch (DateTimeParseException e) {
        throw Bq2Exception.badInput("--deadline " + deadline + ": not an ISO-8601 time with offset; use e.g. 2026-11-28T06:00:00Z");
      }
    }
    if (until != null) {
      LocalTime t;
      try {
        t = LocalTime.parse(until);
      } catch (DateTimeParseException e) {
        throw Bq2Exception.badInput("--until " + until + ": not a time of day; use HH:MM, e.g. 06:30");
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneId.systemDefault());
      ZonedDateTime at = ZonedDateTime.of(LocalDate.now(), t, ZoneId.systemDefault());
      if (!at.isAfter(now)) at = at.plusDays(1);
      Instant u = at.toInstant();
      d = d == null || u.isBefore(d) ? u : d;
    }
    return d;
  }
}
