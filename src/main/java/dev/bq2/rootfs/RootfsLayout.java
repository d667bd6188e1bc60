package dev.bq2.rootfs;

import java.nio.file.Path;

/**
 * The canonical files of one rootfs (seed 000): plan, overrides, state, reports, logs, all
 * under `<rootfs>/var/lib/`. Any of them can be given explicitly (the seeds' `--plan`,
 * `--state-path`, `--overrides`, `--report-dir` flags).
 */
public record RootfsLayout(
    Path rootfs, Path plan, Path overrides, Path state, Path reportDir, Path logDir) {

  public static final String PLAN = "var/lib/sysroot-build-plan.json";
  public static final String OVERRIDES = "var/lib/sysroot-build-overrides.json";
  public static final String STATE = "var/lib/sysroot-build-state.json";
  public static final String REPORTS = "var/lib/sysroot-build-reports";
  public static final String LOGS = "var/lib/sysroot-build-logs";
  public static final String PRISTINE = "var/lib/sysroot-build-pristine";

  public static RootfsLayout of(Path rootfs) {
    Path r = rootfs.toAbsolutePath().normalize();
    return new RootfsLayout(r, r.resolve(PLAN), r.resolve(OVERRIDES), r.resolve(STATE),
        r.resolve(REPORTS), r.resolve(LOGS));
  }

  /** Defaults from `rootfs`, each replaced by the explicit path when one is given. */
  public static RootfsLayout of(Path rootfs, Path plan, Path overrides, Path state, Path reportDir, Path logDir) {
    RootfsLayout d = of(rootfs == null ? Path.of("/") : rootfs);
    return new RootfsLayout(d.rootfs(), abs(plan, d.plan()), abs(overrides, d.overrides()),
        abs(state, d.state()), abs(reportDir, d.reportDir()), abs(logDir, d.logDir()));
  }

  /** The append-only history of applied override deltas, beside the overrides file. */
  public Path overridesHistory() {
    String name = overrides.getFileName().toString().replaceFirst("\\.json$", "");
    return overrides.resolveSibling(name + ".history.jsonl");
  }

  /**
   * `var/lib/sysroot-build-pristine/`, beside the state file: copies of step trees taken before
   * their first build, for `clean_build` when no archive or git work tree can restore them.
   */
  public Path pristineDir() {
    return state.resolveSibling("sysroot-build-pristine");
  }

  private static Path abs(Path given, Path dflt) {
    return given == null ? dflt : given.toAbsolutePath().normalize();
  }
}
