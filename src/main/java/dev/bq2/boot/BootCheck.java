package dev.bq2.boot;

import java.io.PrintStream;

/**
 * `bq2 boot-check` in-process: boots the request in QEMU, reaches a root shell over the serial
 * console, runs the smoke commands and leaves every artifact in `<session>/<UTC>-boot/`. Never
 * exits the JVM: bad input throws {@code Bq2Exception} (exit 2), a missing QEMU or firmware
 * {@code Bq2Exception} (exit 3); everything else is the returned outcome (also written to
 * `boot-outcome.json`).
 */
public final class BootCheck {
  private BootCheck() {}

  /** Runs one boot check; progress lines go to {@code out} as they happen. */
  public static BootOutcome run(BootRequest request, PrintStream out) {
    throw new UnsupportedOperationException("boot-check: not implemented yet");
  }
}
