package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.state.BuildState;
import dev.bq2.state.Fingerprints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end runs of the shell test plan through the real CLI, in process, with real processes. */
class RunnerTest {
  static final String GAMMA_FIX =
      "{\"phases\": {\"host-setup\": {\"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}}}}}}";

  @TempDir Path dir;
  TestRootfs fs;

  @BeforeEach
  void setUp() throws Exception {
    fs = TestRootfs.withPlan(dir, "shell-two-phases.json");
  }

  @Test
  void failsWithReportThenResumesAfterOverrideAndClearsLastFailure() throws Exception {
    TestRootfs.Result r1 = fs.runner("--phase", "host-setup");
    assertEquals(1, r1.exit(), r1.toString());
    assertEquals(List.of("make-dirs", "alpha", "beta"), fs.trace());
    BuildState s1 = fs.state();
    assertEquals(List.of("make-dirs", "alpha", "beta"), s1.progress().completedSteps().get("host-setup"));
    assertEquals("host-setup", s1.progress().lastFailure().phase());
    assertEquals("gamma", s1.progress().lastFailure().step());
    assertEquals("Command failed (7): /bin/sh -e -c " + fs.layout.plan().getFileSystem().getSeparator().replace("/", "")
        + stepContent("gamma"), s1.progress().lastFailure().error());
    assertTrue(s1.progress().lastFailure().reportPath().endsWith(".json"));
    assertEquals("host-setup", s1.progress().currentPhase());
    assertEquals(3, s1.stepFingerprints().get("host-setup").size());
    assertTrue(r1.out().contains("Failed phase host-setup in "), r1.out());

    fs.writeOverrides(GAMMA_FIX);
    TestRootfs.Result r2 = fs.runner("--phase", "host-setup");
    assertEquals(0, r2.exit(), r2.toString());
    assertEquals(List.of("make-dirs", "alpha", "beta", "gamma"), fs.trace(), "only gamma ran again");
    assertTrue(r2.out().contains("Skipping previously completed host-setup/alpha"), r2.out());
    assertTrue(r2.out().contains("Applying build plan overrides from " + fs.layout.overrides()), r2.out());
    BuildState s2 = fs.state();
    assertNull(s2.progress().lastFailure(), "a later success of the failed step clears last_failure");
    assertEquals("gamma", s2.progress().lastSuccess().step());
    // --phase filtered the run; current_phase still names the real next phase.
    assertEquals("sysroot-from-seed", s2.progress().currentPhase());
    assertNotNull(s2.overridesDigest());
  }

  private String stepContent(String step) throws Exception {
    JsonNode plan = dev.bq2.json.Json.tree(fs.layout.plan(), Files.readString(fs.layout.plan()), "t");
    for (JsonNode s : plan.get("phases").get(0).get("steps")) {
      if (s.get("name").asText().equals(step)) return s.get("content").asText();
    }
    throw new AssertionError(step);
  }

  @Test
  void reportHasInteropFieldsAdditiveFieldsAndNames() throws Exception {
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(1, r.exit(), r.toString());
    List<Path> reports = fs.reports();
    assertEquals(1, reports.size());
    String name = reports.get(0).getFileName().toString();
    assertTrue(name.matches("\\d{8}T\\d{6}\\.\\d{3}Z-host_setup-gamma-[0-9a-f]{8}\\.json"), name);
    String text = Files.readString(reports.get(0));
    assertTrue(text.contains("\"destdir\": null"), "reports write nulls like the existing tool: " + text);
    JsonNode rep = fs.newestReport();
    assertEquals(1, rep.get("format_version").asInt());
    assertTrue(rep.get("occurred_at").asText().matches("\\d{8}T\\d{6}\\.\\d{3}Z"));
    assertEquals("host-setup", rep.get("phase").get("name").asText());
    assertEquals("host", rep.get("phase").get("namespace").asText());
    assertEquals("/", rep.get("phase").get("install_prefix").asText());
    assertEquals("gamma", rep.get("step").get("name").asText());
    assertEquals("shell", rep.get("step").get("strategy").asText());
    assertEquals(fs.work.toString(), rep.get("step").get("workdir").asText());
    assertEquals("x86_64", rep.get("step").get("effective_env").get("BQ2_ARCH").asText());
    assertFalse(rep.get("step").get("effective_env").has("PATH"), "effective_env excludes the process env");
    assertEquals(List.of("/bin/sh", "-e", "-c", stepContent("gamma")),
        dev.bq2.json.Json.MAPPER.convertValue(rep.get("command"), List.class));
    assertEquals(7, rep.get("exit_code").asInt());
    assertEquals("Command failed (7): /bin/sh -e -c " + stepContent("gamma"), rep.get("error").asText());
    Path log = Path.of(rep.get("output_log").asText());
    assertEquals(fs.layout.logDir(), log.getParent());
    assertTrue(log.getFileName().toString().matches("\\d{8}T\\d{6}\\.\\d{3}Z-host_setup_gamma-[0-9a-f]{8}\\.log"),
        log.toString());
    String logText = Files.readString(log);
    assertTrue(logText.contains("checking gamma\n"), logText);
    assertTrue(logText.contains("gamma: GAMMA_OK is not set\n"), "stderr merged into the log: " + logText);
    assertTrue(logText.contains("Running in " + fs.work + ": /bin/sh -e -c"), logText);
    assertTrue(logText.contains("(exit=7)"), logText);
    JsonNode tail = rep.get("log_tail");
    assertTrue(tail.isArray() && tail.size() > 0 && tail.size() <= 60);
    assertTrue(tail.toString().contains("gamma: GAMMA_OK is not set"), tail.toString());
    assertTrue(rep.get("duration_s").isNumber() && rep.get("duration_s").asDouble() >= 0);
    assertTrue(rep.get("started_at").asText().matches("\\d{8}T\\d{6}\\.\\d{3}Z"));
    // One log per step, kept on success too.
    assertEquals(4, fs.logs().size(), fs.logs().toString());
    assertTrue(r.out().contains("Wrote build failure report to " + reports.get(0)), r.out());
    assertTrue(r.out().lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z +(INFO|WARN|ERROR) - .*")),
        r.out());
  }

  @Test
  void logTailIsTheLastSixtyLines() throws Exception {
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"alpha\": {\"content\": "
        + "\"i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done; exit 1\"}}}}}");
    assertEquals(1, fs.runner("--package", "alpha").exit());
    JsonNode tail = fs.newestReport().get("log_tail");
    assertEquals(60, tail.size());
    assertEquals("Step failed: Command failed (1): /bin/sh -e -c i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done; exit 1",
        tail.get(59).asText());
    assertTrue(tail.get(58).asText().startsWith("Finished in "), tail.get(58).asText());
    assertEquals("line-499", tail.get(57).asText());
    assertEquals("line-442", tail.get(0).asText());
  }

  @Test
  void changedStepAndLaterStepsRerunUntouchedStepsDoNot() throws Exception {
    fs.writeOverrides(GAMMA_FIX);
    assertEquals(0, fs.runner("--phase", "host-setup").exit());
    fs.clearTrace();
    Files.createDirectories(fs.work.resolve("out"));
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {"
        + "\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}},"
        + "\"beta\": {\"env\": {\"STEP_MSG\": \"beta2\"}}}}}}");
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(List.of("beta2", "gamma"), fs.trace(), "make-dirs and alpha are untouched");
    assertTrue(r.out().contains("overrides changed: host-setup/beta reruns (env changed)\n"), r.out());
    assertTrue(r.out().contains("overrides changed: host-setup/gamma reruns (after host-setup/beta in its phase);"
        + " 2 completed steps kept\n"), r.out());
    assertFalse(r.out().contains("host-setup/alpha reruns"), r.out());

    // Nothing changed: nothing reruns.
    fs.clearTrace();
    TestRootfs.Result again = fs.runner("--phase", "host-setup");
    assertEquals(0, again.exit());
    assertEquals(List.of(), fs.trace());
    assertFalse(again.out().contains(" reruns ") || again.out().contains("completed steps kept"), again.out());
  }

  @Test
  void completedStepWithoutFingerprintIsKept() throws Exception {
    fs.writeOverrides(GAMMA_FIX);
    assertEquals(0, fs.runner("--phase", "host-setup").exit());
    // A state as the existing tool writes it: no step_fingerprints.
    BuildState s = fs.state().withFingerprints(null);
    dev.bq2.json.AtomicFile.writeJson(fs.layout.state(), s);
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}},"
        + "\"alpha\": {\"env\": {\"STEP_MSG\": \"alpha2\"}}}}}}");
    fs.clearTrace();
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(List.of(), fs.trace());
    assertTrue(r.out().contains("overrides changed: no completed step's definition changed; 4 completed steps kept"
        + " (all without a fingerprint: the state was written by the existing tool, so they are kept unchecked,"
        + " as that tool keeps them)\n"), r.out());
  }

  @Test
  void fingerprintIgnoresKeyOrderAndCoversPhaseFields() {
    var step = dev.bq2.plan.BuildStep.of("s", "shell", "/w");
    var p1 = new dev.bq2.plan.BuildPhase("p", "d", "host", "/usr", null,
        new java.util.LinkedHashMap<>(Map.of("A", "1")), List.of(step));
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("B", "2");
    env.put("A", "1");
    Map<String, String> env2 = new java.util.LinkedHashMap<>();
    env2.put("A", "1");
    env2.put("B", "2");
    var pa = new dev.bq2.plan.BuildPhase("p", "d", "host", "/usr", null, env, List.of(step));
    var pb = new dev.bq2.plan.BuildPhase("p", "other description", "host", "/usr", null, env2, List.of(step));
    assertEquals(Fingerprints.of(pa, step), Fingerprints.of(pb, step));
    assertNotEquals(Fingerprints.of(p1, step), Fingerprints.of(pa, step));
    var pd = new dev.bq2.plan.BuildPhase("p", "d", "host", "/usr", "/dest", p1.env(), List.of(step));
    assertNotEquals(Fingerprints.of(p1, step), Fingerprints.of(pd, step));
  }

  @Test
  void dryRunPrintsRemainingStepsAndWritesNothing() throws Exception {
    TestRootfs.Result r = fs.runner("--dry-run");
    assertEquals(0, r.exit(), r.toString());
    assertFalse(Files.exists(fs.layout.state()));
    assertFalse(Files.exists(fs.layout.reportDir()));
    assertFalse(Files.exists(fs.layout.logDir()));
    assertFalse(Files.exists(fs.work.resolve("out")), "no step ran");
    List<JsonNode> entries = dryRunEntries(r.out());
    assertEquals(List.of("make-dirs", "alpha", "beta", "gamma", "delta"),
        entries.stream().map(e -> e.get("step").get("name").asText()).toList());
    assertEquals("host-setup", entries.get(0).get("phase").get("name").asText());
    assertEquals(4, entries.get(0).get("phase").get("steps").size(), "the phase embeds its selected steps");

    // After a partial run, the dry run shows what is left; the state file is not rewritten.
    assertEquals(1, fs.runner("--phase", "host-setup").exit());
    byte[] before = Files.readAllBytes(fs.layout.state());
    TestRootfs.Result r2 = fs.runner("--dry-run", "--phase", "host-setup");
    assertEquals(List.of("gamma"), dryRunEntries(r2.out()).stream().map(e -> e.get("step").get("name").asText()).toList());
    assertArrayEquals(before, Files.readAllBytes(fs.layout.state()));
  }

  static List<JsonNode> dryRunEntries(String out) throws Exception {
    StringBuilder json = new StringBuilder();
    out.lines().filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\dT.*Z +(INFO|WARN|ERROR) - .*"))
        .forEach(l -> json.append(l).append('\n'));
    List<JsonNode> nodes = new java.util.ArrayList<>();
    try (var it = dev.bq2.json.Json.MAPPER.readerFor(JsonNode.class).readValues(json.toString())) {
      while (it.hasNext()) nodes.add((JsonNode) it.next());
    }
    return nodes;
  }

  @Test
  void seedPhaseIsRefusedUnlessInPlaceIsAsked() throws Exception {
    fs.writeOverrides(GAMMA_FIX);
    // The default (enter) needs the host layout: this rootfs is not <hw>/seed-rootfs/bq2-rootfs.
    TestRootfs.Result r0 = fs.runner();
    assertEquals(1, r0.exit(), r0.toString());
    String error0 = fs.newestReport().get("error").asText();
    assertTrue(error0.contains("is not inside a seed rootfs") && error0.contains("--namespace-mode in-place"), error0);
    TestRootfs.Result r = fs.runner("--namespace-mode", "refuse");
    assertEquals(1, r.exit(), r.toString());
    JsonNode rep = fs.newestReport();
    assertEquals("sysroot-from-seed", rep.get("phase").get("name").asText());
    assertEquals("delta", rep.get("step").get("name").asText());
    String error = rep.get("error").asText();
    assertTrue(error.contains("--namespace-mode refuse was given") && error.contains("--namespace-mode in-place"), error);
    assertTrue(rep.get("command").isNull());
    assertFalse(Files.exists(fs.work.resolve("stage")), "a refused phase does not touch its destdir");
    assertFalse(fs.trace().contains("delta"));
    assertEquals("delta", fs.state().progress().lastFailure().step());

    TestRootfs.Result r2 = fs.runner("--namespace-mode", "in-place");
    assertEquals(0, r2.exit(), r2.toString());
    assertTrue(fs.trace().contains("delta"));
    assertTrue(Files.isDirectory(fs.work.resolve("stage")), "phase destdir is created before the phase");
    BuildState s = fs.state();
    assertNull(s.progress().currentPhase(), "past the end of the plan");
    assertNull(s.progress().lastFailure());
    assertEquals(2, fs.runner("--namespace-mode", "sideways").exit());
  }

  @Test
  void unknownStrategyAndMissingWorkdirAreStepFailures() throws Exception {
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"extra_steps\": [{\"name\": \"odd\", \"strategy\": \"frobnicate\","
        + " \"configure_flags\": [], \"patches\": [], \"env\": {}, \"clean_build\": false}],"
        + " \"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}}}}}}");
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(1, r.exit(), r.toString());
    JsonNode rep = fs.newestReport();
    assertEquals("odd", rep.get("step").get("name").asText());
    assertTrue(rep.get("error").asText().startsWith("Unknown build strategy frobnicate"), rep.get("error").asText());
    assertTrue(rep.get("error").asText().contains("known strategies: ") && rep.get("error").asText().contains("shell"));
    assertTrue(rep.get("exit_code").isNull());

    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"alpha\": {\"workdir\": \"" + fs.work + "/nope\"}}}}}");
    TestRootfs.Result r2 = fs.runner("--phase", "host-setup", "--no-resume", "--package", "alpha");
    assertEquals(1, r2.exit(), r2.toString());
    String err = fs.newestReport().get("error").asText();
    assertTrue(err.startsWith("Workdir " + fs.work + "/nope of step host-setup/alpha does not exist"), err);
    assertFalse(Files.exists(fs.work.resolve("nope")));
  }

  @Test
  void packageAndPhaseSelection() throws Exception {
    TestRootfs.Result r = fs.runner("--package", "alpha", "--package", "make-dirs");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(List.of("make-dirs", "alpha"), fs.trace(), "plan order, not argument order");
    // Already completed: nothing to do, not an error.
    assertEquals(0, fs.runner("--package", "alpha").exit());
    assertEquals(List.of("make-dirs", "alpha"), fs.trace());
    // --no-resume runs it again and leaves the state alone.
    byte[] before = Files.readAllBytes(fs.layout.state());
    assertEquals(0, fs.runner("--package", "alpha", "--no-resume").exit());
    assertEquals(List.of("make-dirs", "alpha", "alpha"), fs.trace());
    assertArrayEquals(before, Files.readAllBytes(fs.layout.state()));

    TestRootfs.Result bad = fs.runner("--phase", "nope");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("Unknown build phase nope; known phases: host-setup, sysroot-from-seed"), bad.err());
    TestRootfs.Result badPkg = fs.runner("--phase", "host-setup", "--package", "delta");
    assertEquals(2, badPkg.exit());
    assertTrue(badPkg.err().contains("Requested package(s) not found in selected phases: delta"), badPkg.err());
    assertEquals(2, fs.runner("--jobs", "0").exit());
  }

  /**
   * Issue 11 item 3: a changed plan is no longer refused; the fingerprints decide, and
   * `--accept-plan-change` (which used to be needed) is still accepted and changes nothing.
   * (Replaces the test that pinned the refusal.)
   */
  @Test
  void changedPlanKeepsUnchangedStepsAndAcceptPlanChangeChangesNothing() throws Exception {
    fs.writeOverrides(GAMMA_FIX);
    assertEquals(0, fs.runner("--phase", "host-setup").exit());
    BuildState before = fs.state();
    String plan = Files.readString(fs.layout.plan());
    Files.writeString(fs.layout.plan(), plan.replace("\"STEP_MSG\": \"beta\"", "\"STEP_MSG\": \"beta-new\""));
    fs.clearTrace();
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("plan changed: host-setup/beta reruns (env changed)\n"), r.out());
    assertTrue(r.out().contains("plan changed: host-setup/gamma reruns (after host-setup/beta in its phase);"
        + " 2 completed steps kept\n"), r.out());
    assertEquals(List.of("beta-new", "gamma"), fs.trace());
    assertNotEquals(before.planDigest(), fs.state().planDigest());
    fs.clearTrace();
    TestRootfs.Result again = fs.runner("--phase", "host-setup");
    assertEquals(0, again.exit());
    assertEquals(List.of(), fs.trace(), "the new digest is recorded");
    assertFalse(again.out().contains("plan changed"), again.out());

    // The same change once more, now with --accept-plan-change: the same reruns, the same lines.
    Files.writeString(fs.layout.plan(), plan.replace("\"STEP_MSG\": \"beta\"", "\"STEP_MSG\": \"beta-3\""));
    TestRootfs.Result accepted = fs.runner("--phase", "host-setup", "--accept-plan-change");
    assertEquals(0, accepted.exit(), accepted.toString());
    assertEquals(List.of("beta-3", "gamma"), fs.trace());
    assertTrue(accepted.out().contains("plan changed: host-setup/beta reruns (env changed)\n"), accepted.out());
  }

  /** A step dropped from the regenerated plan is named once; a state without field digests still says which step reruns. */
  @Test
  void droppedStepsAreNamedAndStatesWithoutFieldDigestsStillExplain() throws Exception {
    fs.writeOverrides(GAMMA_FIX);
    assertEquals(0, fs.runner("--phase", "host-setup").exit());
    // As an older bq2 wrote it: fingerprints, but no step_field_digests.
    dev.bq2.json.AtomicFile.writeJson(fs.layout.state(), fs.state().withFieldDigests(null));
    JsonNode plan = dev.bq2.json.Json.tree(fs.layout.plan(), Files.readString(fs.layout.plan()), "t");
    com.fasterxml.jackson.databind.node.ArrayNode steps = (com.fasterxml.jackson.databind.node.ArrayNode) plan.get("phases").get(0).get("steps");
    steps.remove(1); // alpha
    ((com.fasterxml.jackson.databind.node.ObjectNode) steps.get(2)).put("content", "echo gamma2 >> \"$TRACE\"");
    Files.writeString(fs.layout.plan(), dev.bq2.json.Json.pretty(plan));
    fs.clearTrace();
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(List.of("gamma2"), fs.trace());
    assertTrue(r.out().contains("plan changed: host-setup/gamma reruns (its definition changed); 2 completed steps kept\n"), r.out());
    assertTrue(r.out().contains("plan changed: completed step no longer in the plan (ignored): host-setup/alpha\n"), r.out());
    assertNotNull(fs.state().fieldDigests("host-setup", "gamma"), "recorded again when gamma completed");
  }

  @Test
  void echoPrefixesCommandOutput() throws Exception {
    TestRootfs.Result r = fs.runner("--phase", "host-setup", "--echo");
    assertTrue(r.out().contains("[host-setup/gamma] checking gamma\n"), r.out());
    assertTrue(r.out().contains("[host-setup/gamma] gamma: GAMMA_OK is not set\n"), r.out());
    TestRootfs.Result quiet = fs.runner("--phase", "host-setup", "--no-echo");
    assertFalse(quiet.out().contains("[host-setup/gamma] checking gamma"), quiet.out());
  }
}
