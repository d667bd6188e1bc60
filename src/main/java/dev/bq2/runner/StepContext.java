package dev.bq2.runner;

import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a strategy needs for one step, already resolved: the working directory (the
 * step's workdir, or the runner's cwd when it has none), the effective env for children
 * (process env + phase env + step env), install prefix and destdir after step-over-phase
 * precedence, the job count, and the command runner that logs to the step's log file.
 *
 * @param stepEnv phase env overlaid with step env only (what the report calls effective_env)
 * @param cleanFallback the step wants a clean tree (clean_build, or a changed definition) and the
 *     runner could not restore one (no archive, git work tree or pristine copy): strategies that
 *     can clean in place (`make distclean`) do so; false when the runner already restored it
 * @param resume whether resume is on (extract-sources skips existing build directories then)
 * @param cacheDir where download-sources caches archives when the step names no destdir
 * @param view the seed/bq2 rootfs the step runs in (its plan paths map under it on the host),
 *     null in place
 */
public record StepContext(
    BuildPhase phase,
    BuildStep step,
    Path cwd,
    Map<String, String> env,
    Map<String, String> stepEnv,
    String installPrefix,
    String destdir,
    int jobs,
    boolean resume,
    Path cacheDir,
    CommandRunner commands,
    RootView view,
    boolean cleanFallback) {

  /** A step run in place, on the host. */
  public StepContext(BuildPhase phase, BuildStep step, Path cwd, Map<String, String> env, Map<String, String> stepEnv,
      String installPrefix, String destdir, int jobs, boolean resume, Path cacheDir, CommandRunner commands) {
    this(phase, step, cwd, env, stepEnv, installPrefix, destdir, jobs, resume, cacheDir, commands, null,
        step.isCleanBuild());
  }

  /**
   * A plan path as the existing tool sees it after its chdir into the workdir (a JVM cannot
   * chdir, so it is resolved against {@link #cwd}), mapped to the host under a rootfs.
   */
  public Path resolve(String path) {
    if (view != null) return view.hostPath(path, cwd);
    return cwd.resolve(path).normalize();
  }
}
