package dev.bq2.runner;

import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One `sysroot-runner` invocation, parsed.
 *
 * @param phase `all` or an exact phase name
 * @param packages step names to keep (empty: all)
 * @param resume skip completed steps and record progress (off with `--no-resume`: the state
 *     file is then neither read nor written, as in the existing tool)
 * @param report write failure reports (`--no-report` turns off reports; step logs are kept)
 * @param echo copy command output to the console; null means "when a terminal is attached"
 * @param cwd where steps without a workdir run
 * @param cacheDir where download-sources caches archives when a step names no destdir
 * @param grace time between SIGTERM and SIGKILL when a command's group is stopped
 * @param acceptPlanChange `--accept-plan-change`: accepted, changes nothing (a changed plan keeps
 *     the progress of every step it did not change)
 * @param cleanOnChange a step whose definition changed since its last attempt starts from a
 *     clean tree (off with `--no-clean-on-change`)
 */
public record RunOptions(
    RootfsLayout layout,
    String phase,
    List<String> packages,
    boolean dryRun,
    boolean resume,
    boolean report,
    boolean useOverrides,
    int jobs,
    boolean acceptPlanChange,
    NamespaceMode namespaceMode,
    Boolean echo,
    Path cwd,
    Path cacheDir,
    Duration grace,
    boolean cleanOnChange) {

  public RunOptions {
    packages = packages == null ? List.of() : List.copyOf(packages);
    phase = phase == null ? Selection.ALL : phase;
    namespaceMode = namespaceMode == null ? NamespaceMode.ENTER : namespaceMode;
    jobs = jobs > 0 ? jobs : Runtime.getRuntime().availableProcessors();
    cwd = cwd == null ? Path.of("").toAbsolutePath() : cwd.toAbsolutePath();
    cacheDir = cacheDir == null ? defaultCache(layout) : cacheDir;
    grace = grace == null ? Duration.ofSeconds(10) : grace;
  }

  /** All defaults: every phase, resume, reports, overrides, seed/bq2 phases entered. */
  public static RunOptions defaults(RootfsLayout layout) {
    return new RunOptions(layout, Selection.ALL, List.of(), false, true, true, true, 0, false,
        NamespaceMode.ENTER, null, null, null, null, true);
  }

  /** `<rootfs>/var/lib/sysroot-build-sources`, beside the other canonical files. */
  public static Path defaultCache(RootfsLayout layout) {
    return layout.state().resolveSibling("sysroot-build-sources");
  }

  public boolean echoOutput() {
    return echo != null ? echo : System.console() != null;
  }
}
