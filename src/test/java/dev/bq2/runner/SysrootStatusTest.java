package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `sysroot-status`: the interop key=value lines and --json, computed from completed_steps. */
class SysrootStatusTest {
  @TempDir Path dir;
  TestRootfs fs;

  @BeforeEach
  void setUp() throws Exception {
    fs = TestRootfs.withPlan(dir, "shell-two-phases.json");
  }

  private List<String> base() {
    return List.of("plan_path=" + fs.layout.plan(), "state_path=" + fs.layout.state(),
        "report_dir=" + fs.layout.reportDir());
  }

  @Test
  void freshRootfsStartsAtTheFirstStepAndWritesNothing() {
    TestRootfs.Result r = fs.status();
    assertEquals(0, r.exit(), r.toString());
    List<String> expected = new java.util.ArrayList<>(base());
    expected.addAll(List.of("next_phase=host-setup", "next_step=make-dirs"));
    assertEquals(expected, r.out().lines().toList());
    assertFalse(Files.exists(fs.layout.state()));
  }

  @Test
  void afterAFailureNamesNextStepAndLastFailure() throws Exception {
    assertEquals(1, fs.runner("--phase", "host-setup").exit());
    String report = fs.reports().get(0).toString();
    TestRootfs.Result r = fs.status();
    List<String> expected = new java.util.ArrayList<>(base());
    expected.addAll(List.of("current_phase=host-setup", "next_phase=host-setup", "next_step=gamma",
        "last_failure=host-setup/gamma", "last_failure_report=" + report));
    assertEquals(expected, r.out().lines().toList());

    TestRootfs.Result j = fs.status("--json");
    assertEquals(0, j.exit());
    assertEquals(1, j.out().lines().count());
    JsonNode n = Json.tree(Path.of("stdout"), j.out(), "t");
    assertEquals(List.of("plan_path", "state_path", "report_dir", "current_phase", "next_phase", "next_step",
        "last_failure", "last_failure_report"), iterable(n));
    assertEquals("gamma", n.get("next_step").asText());
    assertEquals(report, n.get("last_failure_report").asText());
  }

  @Test
  void completeWhenEveryStepIsDoneAndFollowsTheResolvedPlan() throws Exception {
    fs.writeOverrides(RunnerTest.GAMMA_FIX);
    assertEquals(0, fs.runner("--namespace-mode", "in-place").exit());
    TestRootfs.Result r = fs.status();
    List<String> expected = new java.util.ArrayList<>(base());
    expected.add("next_phase=complete");
    assertEquals(expected, r.out().lines().toList());
    JsonNode n = Json.tree(Path.of("stdout"), fs.status("--json").out(), "t");
    assertEquals("complete", n.get("next_phase").asText());
    assertFalse(n.has("next_step"));

    // An extra step in the overrides is part of the resolved plan: status points at it.
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}}},"
        + " \"extra_steps\": [{\"name\": \"epsilon\", \"strategy\": \"shell\", \"configure_flags\": [],"
        + " \"patches\": [], \"env\": {}, \"clean_build\": false, \"content\": \"true\"}]}}}");
    assertTrue(fs.status().out().contains("next_phase=host-setup\nnext_step=epsilon\n"));
    // ... and a changed completed step (fingerprint) is where the runner would start again.
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"gamma\": {\"env\": {\"GAMMA_OK\": \"1\"}},"
        + " \"alpha\": {\"env\": {\"STEP_MSG\": \"alpha2\"}}}}}}");
    assertTrue(fs.status().out().contains("next_phase=host-setup\nnext_step=alpha\n"), fs.status().out());
  }

  @Test
  void explicitPathFlags() throws Exception {
    Path plan = dir.resolve("elsewhere/plan.json");
    Files.createDirectories(plan.getParent());
    Files.move(fs.layout.plan(), plan);
    TestRootfs.Result r = fs.bq2("sysroot-status", "--plan", plan.toString(), "--state-path",
        dir.resolve("s.json").toString(), "--report-dir", dir.resolve("rep").toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("plan_path=" + plan + "\nstate_path=" + dir.resolve("s.json") + "\nreport_dir="
        + dir.resolve("rep") + "\n"), r.out());
  }

  private static List<String> iterable(JsonNode n) {
    List<String> out = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** Issue 10 item 2: `BQ2_ROOTFS` names the rootfs for sysroot-status and sysroot-runner too. */
  @Test
  void bq2RootfsFromTheEnvironmentIsTheDefaultRootfs() throws Exception {
    for (List<String> cmd : List.of(List.of("sysroot-status"), List.of("sysroot-runner", "--dry-run"))) {
      List<String> argv = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
      argv.addAll(cmd);
      ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
      pb.environment().put("BQ2_ROOTFS", fs.layout.rootfs().toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), cmd.toString());
      assertEquals(0, p.exitValue(), cmd + ": " + out);
      assertTrue(out.contains(fs.layout.plan().toString()), cmd + ": " + out);
    }
  }
}
