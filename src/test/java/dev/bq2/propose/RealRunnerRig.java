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
import dev.bq2.runner.Interrupts;
import dev.bq2.runner.NamespaceMode;
import dev.bq2.runner.RunLog;
import dev.bq2.runner.RunOptions;
import dev.bq2.runner.Runner;
import dev.bq2.runner.strategy.Strategies;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * A one-phase, one-step plan in a rootfs layout, run by the real {@link Runner} in process
 * (reports, step logs, state and overrides as in production), then diagnosed, proposed for by
 * the built-in rules, applied and run again.
 */
final class RealRunnerRig {
  final Path dir;
  final Path pkg;
  final RootfsLayout layout;
  final StringWriter runnerOut = new StringWriter();

  RealRunnerRig(Path dir, String strategy, List<String> flags, Map<String, String> phaseEnv) throws Exception {
    this.dir = dir;
    this.pkg = Files.createDirectories(dir.resolve("pkg"));
    this.layout = RootfsLayout.of(dir.resolve("rootfs"));
    Files.createDirectories(layout.plan().getParent());
    BuildStep step = new BuildStep("pkg", strategy, pkg.toString(), flags, List.of(), null, null, null, Map.of(), false,
        null, null, null, null, null);
    BuildPhase phase = new BuildPhase("p", "test phase", "host", "/usr", dir.resolve("dest").toString(), phaseEnv,
        List.of(step));
    Files.writeString(layout.plan(), Json.pretty(new BuildPlan(2, List.of(phase))));
  }

  void write(String name, String text) throws Exception {
    Path f = pkg.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    if (name.equals("configure")) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs the real autoconf on configure.ac in the package (no automake: Makefile.in is written by the test). */
  void autoconf() throws Exception {
    Process p = new ProcessBuilder("autoconf").directory(pkg.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "autoconf: " + out);
    assertTrue(Files.isRegularFile(pkg.resolve("configure")));
  }

  /** The real runner over the whole plan; exit code. */
  int run() {
    RunOptions o = new RunOptions(layout, "all", List.of(), false, true, true, true, 2, false,
        NamespaceMode.IN_PLACE, false, dir, null, Duration.ofSeconds(2), true);
    try (PrintWriter w = new PrintWriter(runnerOut, true)) {
      return new Runner(o, new RunLog(w), Interrupts.none(), Strategies.catalog()).run();
    }
  }

  /** The newest failure report. */
  Path newestReport() throws Exception {
    try (Stream<Path> s = Files.list(layout.reportDir())) {
      return s.filter(p -> p.toString().endsWith(".json")).max(Path::compareTo).orElseThrow();
    }
  }

  ProposalRequest request(Path report) {
    Diagnosis d = Diagnoser.diagnose(report);
    return ProposalRequests.build(d, ReportFiles.read(report), PlanFiles.readPlan(layout.plan()),
        PlanFiles.readOverrides(layout.overrides()), layout.overrides(), layout.overridesHistory(), null);
  }

  record Outcome(ProposalRequest request, Optional<Proposal> proposal, String rule, List<String> skipped) {}

  /** Runs (must fail), asks the built-in rules. */
  Outcome failAndPropose() throws Exception {
    assertEquals(1, run(), () -> "the first build must fail\n" + runnerOut);
    ProposalRequest req = request(newestReport());
    RuleProposer rp = RuleProposer.withDefaults();
    Optional<Proposal> p = rp.propose(req);
    return new Outcome(req, p, rp.lastRule(), rp.skipped());
  }

  /** Applies the proposal to the overrides file and runs again: must complete. */
  void applyAndRebuild(Outcome o) throws Exception {
    assertTrue(o.proposal().isPresent(), () -> "a rule should know this failure: " + o.request().diagnosis().excerpt()
        + "\nskipped: " + o.skipped() + "\nevidence: " + EvidenceCollector.collect(o.request()));
    assertFalse(o.proposal().get().escalate(), o.proposal().get().rationale());
    assertEquals(List.of(), ProposalValidator.validate(o.proposal().get(), o.request()));
    assertPromptNamesTheFix(o.proposal().get());
    new OverridesEditor(layout.overrides(), layout.overridesHistory()).apply(o.proposal().get(), o.request().diagnosis(), "rules");
    int again = run();
    assertEquals(0, again, () -> "the rebuild with " + o.proposal().get().summary() + " still fails:\n" + excerpt());
  }

  /** `bq2 propose --report R --rootfs F --show-prompt`: exit 0 and the prompt; asks no one. */
  String showPrompt() throws Exception {
    CommandLine cl = Bq2.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("propose", "--report", newestReport().toString(), "--rootfs", layout.rootfs().toString(),
        "--show-prompt");
    assertEquals(0, code, err.toString());
    return out.toString();
  }

  /**
   * The goal: where a rule fixes it, the prompt an assistant would get names the
   * option or variable that fixes it (`-DX=OFF` → X; `--disable-x` → it or its `--enable-x`).
   */
  void assertPromptNamesTheFix(Proposal p) throws Exception {
    String prompt = showPrompt();
    for (String flag : p.configureFlagsAdd()) {
      List<String> names;
      if (flag.startsWith("-D")) {
        names = List.of(flag.substring(2).replaceFirst("=.*$", ""));
      } else if (flag.startsWith("--")) {
        String key = flag.replaceFirst("^--(?:enable|disable|with|without)-", "");
        names = List.of(flag, "--enable-" + key, "--disable-" + key, "--with-" + key, "--without-" + key);
      } else {
        names = List.of(flag);
      }
      int at = names.stream().mapToInt(n -> prompt.indexOf(n, prompt.indexOf("## Evidence"))).max().orElse(-1);
      assertTrue(at > 0, () -> "the prompt's evidence does not name " + flag + ":\n" + prompt);
    }
  }

  String excerpt() {
    try {
      return String.join("\n", Diagnoser.diagnose(newestReport()).excerpt());
    } catch (Exception e) {
      return e.toString();
    }
  }

  static String run(Path dir, String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out;
  }
}
