package dev.bq2.autopilot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A shell step that prints what the test hands it, when the test hands it: chunk files
 * `<ctl>/<name>.<n>` are printed in order as they appear, and `<ctl>/<name>.end` ends the step
 * (after the chunks before it). The test knows exactly which line the step printed last.
 */
final class OnDemandStep {
  private final Path ctl;
  private final String name;
  private int next;

  OnDemandStep(Path ctl, String name) {
    this.ctl = ctl;
    this.name = name;
  }

  /** The step's script; {@code CTL} (the control folder) comes from the phase env. */
  static String script(String name, String firstLine) {
    return (firstLine == null ? "" : "echo '" + firstLine + "'\n")
        + "n=0\n"
        + "while [ -e \"$CTL/" + name + ".$n\" ] || [ ! -e \"$CTL/" + name + ".end\" ]; do\n"
        + "  if [ -e \"$CTL/" + name + ".$n\" ]; then cat \"$CTL/" + name + ".$n\"; n=$((n+1)); else sleep 0.05; fi\n"
        + "done\n";
  }

  /** Hands the step {@code text} (written whole, then renamed into place). */
  void print(String text) throws IOException {
    Files.createDirectories(ctl);
    Path tmp = ctl.resolve(name + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, ctl.resolve(name + "." + next++), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Lets the step finish once it has printed everything handed to it. */
  void end() throws IOException {
    Files.createDirectories(ctl);
    Files.writeString(ctl.resolve(name + ".end"), "");
  }
}
