package dev.bq2.cli;

import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The context flags shared by commands that find the rootfs and repo themselves (`iterate`,
 * `status`, …): use with {@code @Mixin ContextOptions context;} and call {@link #detect()}.
 */
public class ContextOptions {
  @Option(names = "--rootfs", paramLabel = "DIR",
      description = "Rootfs holding var/lib/sysroot-build-plan.json (wins over BQ2_ROOTFS and detection).")
  Path rootfs;

  @Option(names = "--fs-root", paramLabel = "DIR", defaultValue = "/",
      description = "Resolve the built-in absolute candidate paths under DIR (default: ${DEFAULT-VALUE}).")
  Path fsRoot;

  @Option(names = "--repo", paramLabel = "DIR", description = "The bootstrap-qcow2 checkout (wins over detection).")
  Path repo;

  @Option(names = "--runner", paramLabel = "CMD",
      description = "Runner command (words split on spaces); default: the repo's bin/sysroot-runner, else ours.")
  String runner;

  @Option(names = "--status-command", paramLabel = "CMD",
      description = "Status command (words split on spaces); default: the repo's bin/sysroot-status, else ours.")
  String statusCommand;

  public Context detect() {
    return detect(null);
  }

  /** Relative paths resolved against {@code cwd} (the folder a batch job started in), or ours when null. */
  public Context detect(Path cwd) {
    return new ContextDetector().cwd(cwd).fsRoot(fsRoot).rootfs(rootfs).repo(repo).runner(runner)
        .statusCommand(statusCommand).detect();
  }
}
