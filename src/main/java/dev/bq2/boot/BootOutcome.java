package dev.bq2.boot;

import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.nio.file.Path;
import java.util.List;

/**
 * What one boot check found: `boot-outcome.json` in its session folder, read by `iterate
 * --boot-check` and `bq2 summary`. Version 1; keys are snake_case like every file we own.
 *
 * @param passed a root shell was reached and every smoke command exited 0
 * @param verdict one line for a person ("root shell reached; 1/1 smoke commands passed")
 * @param diagnosis why it failed; null when passed
 * @param accel the accelerator the verdict was reached with (`kvm` or `tcg`)
 * @param accelReason why that accelerator (e.g. the KVM fall-back)
 * @param stages each stage in order, with the seconds it took from the previous one
 * @param smoke each `--run` command
 * @param sessionDir the folder holding serial.log, transcript.log, journal.md
 */
public record BootOutcome(
    int version,
    boolean passed,
    String verdict,
    Diagnosis diagnosis,
    String accel,
    String accelReason,
    List<Stage> stages,
    List<Smoke> smoke,
    String started,
    String ended,
    List<String> qemuCommand,
    String sessionDir) {

  public static final int VERSION = 1;
  public static final String FILE = "boot-outcome.json";

  public BootOutcome {
    stages = stages == null ? List.of() : List.copyOf(stages);
    smoke = smoke == null ? List.of() : List.copyOf(smoke);
    qemuCommand = qemuCommand == null ? List.of() : List.copyOf(qemuCommand);
  }

  /**
   * Why a boot check failed.
   *
   * @param kind one of {@link #KINDS}
   * @param lastSeen the last console line(s) seen (control sequences removed)
   * @param likelyCause what probably went wrong
   * @param fix what to change
   */
  public record Diagnosis(String kind, String lastSeen, String likelyCause, String fix) {
    public static final List<String> KINDS = List.of("no-serial-output", "kernel-panic", "init-not-found",
        "no-login-prompt", "login-refused", "escalation-refused", "smoke-failed", "qemu-exited", "timeout");
  }

  /**
   * One boot stage: {@code seconds} from the previous stage's end (the first from QEMU's start);
   * null when it was not reached.
   */
  public record Stage(String stage, Double seconds, boolean reached) {}

  /** One smoke command: its exit code (null when it did not finish), duration and output. */
  public record Smoke(String command, Integer exitCode, double seconds, String output) {}

  /** The exit code of `bq2 boot-check` for this outcome: 0 passed, 1 failed. */
  public int exitCode() {
    return passed ? 0 : 1;
  }

  public void write(Path file) {
    AtomicFile.writeJson(file, this);
  }

  public static BootOutcome read(Path file) {
    return Json.read(file, BootOutcome.class, "it is written by bq2 boot-check; run the check again");
  }
}
