package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.cli.Bq2;
import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PlanFiles;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * A one-step plan built by the real runner (`bq2 sysroot-runner`, in process, real make/gcc
 * children), then diagnosed, proposed for by the built-in rules, applied to the real overrides
 * file and rebuilt by the runner again.
 */
final class RunnerRig {
  final Path pkg;
  final Path rootfs;
  final RootfsLayout layout;

  RunnerRig(Path dir) throws IOException {
    this.pkg = dir.resolve("pkg");
    this.rootfs = dir.resolve("rootfs");
    Files.createDirectories(pkg);
    Files.createDirectories(rootfs.resolve("var/lib"));
    this.layout = RootfsLayout.of(rootfs);
  }

  /** Writes the plan: phase `p` (host, /usr into the rootfs), step `pkg` in {@link #pkg}. */
  RunnerRig plan(String strategy, String content, Map<String, String> phaseEnv, Map<String, String> stepEnv)
      throws IOException {
    BuildStep s = new BuildStep("pkg", strategy, pkg.toString(), List.of(), List.of(), null, null, null, stepEnv,
        false, null, null, null, content, null);
    BuildPhase p = new BuildPhase("p", "toolchain rule test", "host", "/usr", rootfs.toString(), phaseEnv, List.of(s));
    Files.writeString(layout.plan(), Json.pretty(new BuildPlan(2, List.of(p))));
    return this;
  }

  RunnerRig write(String name, String text) throws IOException {
    Path f = pkg.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    if (name.equals("configure") || name.endsWith("config.guess") || name.endsWith("config.sub")) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return this;
  }

  record Run(int exit, String out) {}

  /** `bq2 sysroot-runner --rootfs R --jobs 2`, in process. */
  Run runner() {
    StringWriter out = new StringWriter();
    CommandLine cl = Bq2.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int rc = cl.execute("sysroot-runner", "--rootfs", rootfs.toString(), "--jobs", "2");
    return new Run(rc, out.toString());
  }

  record Outcome(Diagnosis diagnosis, Proposal proposal, String rule, List<String> skipped) {
    String excerpt() {
      return String.join("\n", diagnosis.excerpt());
    }
  }

  /** The runner fails; the newest report is diagnosed and the built-in rules asked. */
  Outcome failAndPropose() throws Exception {
    Run r = runner();
    assertEquals(1, r.exit(), () -> "the first build must fail:\n" + r.out());
    Path report = ReportFiles.newest(layout.reportDir()).orElseThrow();
    Diagnosis d = Diagnoser.diagnose(report);
    ProposalRequest req = ProposalRequests.build(d, ReportFiles.read(report), PlanFiles.readPlan(layout.plan()),
        PlanFiles.readOverrides(layout.overrides()), layout.overrides(), layout.overridesHistory(), null);
    RuleProposer rp = RuleProposer.withDefaults();
    Optional<Proposal> p = rp.propose(req);
    p.filter(x -> !x.escalate()).ifPresent(x -> assertEquals(List.of(), ProposalValidator.validate(x, req)));
    return new Outcome(d, p.orElse(null), rp.lastRule(), rp.skipped());
  }

  /** Applies the proposal to the overrides file and reruns the runner, which must now succeed. */
  void applyAndRebuild(Outcome o) throws Exception {
    assertNotNull(o.proposal(), () -> "a rule should know this failure:\n" + o.excerpt() + "\nskipped: " + o.skipped());
    assertFalse(o.proposal().escalate(), o.proposal().rationale());
    new OverridesEditor(layout.overrides(), layout.overridesHistory()).apply(o.proposal(), o.diagnosis(), "rules");
    Run again = runner();
    assertEquals(0, again.exit(), () -> "the rebuild with " + o.proposal().summary() + " still fails:\n" + again.out()
        + "\n" + newestExcerpt());
  }

  String newestExcerpt() {
    return ReportFiles.newest(layout.reportDir()).map(p -> String.join("\n", Diagnoser.diagnose(p).excerpt())).orElse("");
  }

  /** Runs an installed program of the rootfs and returns its output. */
  String runInstalled(String relPath) throws Exception {
    return run(List.of(rootfs.resolve(relPath).toString()), pkg);
  }

  static String run(List<String> argv, Path cwd) throws Exception {
    Process p = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), argv + " did not finish");
    assertEquals(0, p.exitValue(), argv + ": " + out);
    return out;
  }

  /** The newest step log of the runner (the successful rebuild's, after {@link #applyAndRebuild}). */
  String newestStepLog() throws IOException {
    try (var s = Files.list(layout.logDir())) {
      Path newest = s.filter(p -> p.getFileName().toString().matches("\\d{8}T.*-p_pkg-.*\\.log"))
          .max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
      return Files.readString(newest);
    }
  }

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
    }
    return false;
  }
}
