package dev.bq2.cli;

import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The path flags shared by `sysroot-runner` and `sysroot-status` (seed 000's canonical files). */
public class RootfsOptions {
  /** `BQ2_ROOTFS` counts here as for every other command: a person sets it once per shell. */
  @Option(names = "--rootfs", paramLabel = "DIR", defaultValue = "${env:BQ2_ROOTFS:-/}",
      description = "Rootfs whose var/lib holds the canonical files (default: $BQ2_ROOTFS, else /).")
  Path rootfs;

  @Option(names = "--plan", paramLabel = "FILE",
      description = "Build plan (default: <rootfs>/" + RootfsLayout.PLAN + ").")
  Path plan;

  @Option(names = "--overrides", paramLabel = "FILE",
      description = "Overrides file (default: <rootfs>/" + RootfsLayout.OVERRIDES + ").")
  Path overrides;

  @Option(names = "--state-path", paramLabel = "FILE",
      description = "State file (default: <rootfs>/" + RootfsLayout.STATE + ").")
  Path state;

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Failure reports (default: <rootfs>/" + RootfsLayout.REPORTS + ").")
  Path reportDir;

  @Option(names = "--log-dir", paramLabel = "DIR",
      description = "Step logs, one per step, kept (default: <rootfs>/" + RootfsLayout.LOGS + ").")
  Path logDir;

  public RootfsLayout layout() {
    // a blank BQ2_ROOTFS counts as unset, as for the commands that detect the rootfs
    Path root = rootfs == null || rootfs.toString().isBlank() ? Path.of("/") : rootfs;
    return RootfsLayout.of(root, plan, overrides, state, reportDir, logDir);
  }
}
