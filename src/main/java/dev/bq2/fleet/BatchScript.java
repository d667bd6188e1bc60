package dev.bq2.fleet;

import dev.bq2.json.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch script of one job, written by us into the rootfs's log folder (so it is on the same
 * shared storage as the rootfs, and beside the job's output): `set -e`, then `exec` of `bq2
 * iterate --all-phases --rootfs ROOTFS <options>`, every word single-quoted. `exec` makes the
 * autopilot the job's batch process itself, so the signals Slurm sends reach it directly.
 */
public final class BatchScript {
  private BatchScript() {}

  static String text(List<String> bq2, Path rootfs, List<String> options, String submittedBy) {
    List<String> argv = new ArrayList<>(bq2);
    argv.addAll(List.of("iterate", "--all-phases", "--rootfs", rootfs.toString()));
    argv.addAll(options);
    StringBuilder b = new StringBuilder("#!/bin/sh\n");
    b.append("# bq2 fleet: one autopilot for ").append(rootfs).append(" (").append(submittedBy).append(")\n");
    b.append("set -e\n");
    b.append("exec");
    for (String a : argv) b.append(' ').append(quote(a));
    return b.append('\n').toString();
  }

  /** Writes the script as `<logDir>/fleet-<UTC>.sh` (mode 0755) and returns its path. */
  static Path write(Path logDir, List<String> bq2, Path rootfs, List<String> options, Instant now) {
    String stamp = now.toString().replaceAll("[-:]", "").replace('.', '-');
    Path script = logDir.resolve("fleet-" + stamp + ".sh");
    AtomicFile.write(script, text(bq2, rootfs, options, "submitted " + now));
    try {
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException | UnsupportedOperationException e) {
      // sbatch reads the script itself; the mode is a courtesy to a person running it by hand
    }
    return script;
  }

  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
