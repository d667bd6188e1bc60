package dev.bq2.propose;

import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A test stand-in for the runner: runs one step of a real plan + overrides file with real
 * processes (autotools: ./configure, make -j2, make install; shell: sh -e -c content), each
 * command's output in its own log in the report dir, and writes a failure report as the
 * runner does (docs/formats.md#upstream-formats). Returns the report, or null when the step succeeded.
 */
final class MiniRunner {
  static final int JOBS = 2;

  private MiniRunner() {}

  static Path runStep(Path plan, Path overrides, String phaseName, String stepName, Path reportDir) throws Exception {
    BuildPlan eff = OverridesApplier.apply(PlanFiles.readPlan(plan), PlanFiles.readOverrides(overrides), overrides);
    BuildPhase phase = eff.phase(phaseName).orElseThrow();
    BuildStep step = phase.step(stepName).orElseThrow();
    Map<String, String> env = new LinkedHashMap<>(phase.env());
    env.putAll(step.env());
    Path cwd = Path.of(step.workdir());
    List<List<String>> cmds = new ArrayList<>();
    if (step.strategy().equals("autotools")) {
      if (step.isCleanBuild() && Files.exists(cwd.resolve("Makefile"))) cmds.add(List.of("make", "clean"));
      List<String> conf = new ArrayList<>(List.of("./configure", "--prefix=" + phase.installPrefix()));
      conf.addAll(step.configureFlags());
      cmds.add(conf);
      cmds.add(List.of("make", "-j" + JOBS));
      cmds.add(List.of("make", "DESTDIR=" + cwd.resolve("dest"), "install"));
    } else {
      cmds.add(List.of("/bin/sh", "-e", "-c", step.content()));
    }
    for (List<String> argv : cmds) {
      Instant at = Instant.now();
      Path log = reportDir.resolve(ReportFiles.logName(at, phaseName, stepName));
      Files.createDirectories(reportDir);
      ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("command hung: " + argv);
      }
      int exit = p.exitValue();
      if (exit == 0) {
        Files.delete(log);
        continue;
      }
      FailureReport r = new FailureReport(1, "x", 
          new FailureReport.ReportPhase(phase.name(), phase.namespace(), phase.installPrefix(), phase.destdir(), phase.env()),
          new FailureReport.ReportStep(step.name(), step.strategy(), step.workdir(), step.installPrefix(), step.destdir(),
              step.env(), env, step.configureFlags(), step.patches()),
          argv, exit, log.toString(), "Command failed (" + exit + "): " + String.join(" ", argv), null, 0.1, null);
      return ReportFiles.write(reportDir, Instant.now(), r);
    }
    return null;
  }

  /** A one-phase, one-step plan JSON. */
  static String plan(String phase, Map<String, String> phaseEnv, BuildStep step) {
    BuildPhase p = new BuildPhase(phase, "test phase", "host", "/usr", null, phaseEnv, List.of(step));
    return dev.bq2.json.Json.pretty(new BuildPlan(2, List.of(p)));
  }

  static BuildStep step(String name, String strategy, Path workdir, String content, Map<String, String> env) {
    return new BuildStep(name, strategy, workdir.toString(), List.of(), List.of(), null, null, null, env, false,
        null, null, null, content, null);
  }

  /**
   * A tiny conventional configure: reads CC/CFLAGS/CXXFLAGS/LIBS/MAKEINFO from the environment
   * into the Makefile, knows --disable-werror (when offered), --without-foo, --build, and
   * guesses the build type with ./config.guess when there is one and no --build.
   */
  static String configure(boolean offersDisableWerror, boolean needsFoo) {
    return "#!/bin/sh\n"
        + "werror=-Werror; foo=yes; build=\n"
        + "for a in \"$@\"; do case \"$a\" in\n"
        + "  --prefix=*) prefix=${a#--prefix=};;\n"
        + (offersDisableWerror ? "  --disable-werror) werror=;;\n" : "")
        + "  --without-foo) foo=no;;\n"
        + "  --build=*) build=${a#--build=};;\n"
        + "  *) echo \"configure: error: unrecognized option: $a\" >&2; exit 1;;\n"
        + "esac; done\n"
        + "if test -z \"$build\" && test -x ./config.guess; then\n"
        + "  build=$(./config.guess) || { echo 'configure: error: cannot guess build type; you must specify one' >&2; exit 1; }\n"
        + "fi\n"
        + (needsFoo ? "if test $foo = yes && ! test -f /nonexistent/libfoo.so; then\n"
            + "  echo 'checking for libfoo... no'\n"
            + "  echo 'configure: error: libfoo not found; use --without-foo to build without it' >&2; exit 1\nfi\n" : "")
        + "cat > Makefile <<EOF\n"
        + "CC = ${CC:-gcc}\nCFLAGS = $CFLAGS\nLIBS = $LIBS\nWERROR = $werror\nprefix = $prefix\n"
        + "SRCS = $(ls *.c | tr '\\n' ' ')\n"
        + "EOF\n"
        + "cat >> Makefile <<'EOF'\n"
        + "OBJS = $(SRCS:.c=.o)\n"
        + "prog: $(OBJS)\n\t$(CC) $(CFLAGS) -o prog $(OBJS) $(LIBS)\n"
        + "%.o: %.c\n\t$(CC) $(WERROR) -Werror=implicit-function-declaration $(CFLAGS) -c $< -o $@\n"
        + "install: prog\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n"
        + "clean:\n\trm -f prog *.o\n"
        + "EOF\n"
        + "echo \"configured for ${build:-native}\"\n";
  }
}
