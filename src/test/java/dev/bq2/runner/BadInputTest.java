package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input ends `sysroot-runner` (and `sysroot-status`) with exit 2 and one line naming
 * the file, the place and the fix, before any step runs or any file is written.
 */
class BadInputTest {
  @TempDir Path dir;
  TestRootfs fs;

  @BeforeEach
  void setUp() throws Exception {
    fs = TestRootfs.withPlan(dir, "shell-two-phases.json");
  }

  /** Runs the runner and status, asserts exit 2, one error line, and that nothing ran or was written. */
  private String refused(String... runnerArgs) throws Exception {
    TestRootfs.Result r = fs.runner(runnerArgs);
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("bq2: "), r.err());
    assertFalse(Files.exists(fs.work.resolve("out")), "no step ran");
    assertFalse(Files.exists(fs.layout.reportDir()));
    assertFalse(Files.exists(fs.layout.logDir()));
    return r.err().trim();
  }

  @Test
  void malformedPlanNamesFileLineAndColumn() throws Exception {
    Files.writeString(fs.layout.plan(), "{\n  \"format_version\": 2,\n  \"phases\": [\n    {\"name\": }\n  ]\n}\n");
    String err = refused();
    assertTrue(err.startsWith("bq2: " + fs.layout.plan() + ":4:"), err);
    TestRootfs.Result s = fs.status();
    assertEquals(2, s.exit());
    assertTrue(s.err().contains(fs.layout.plan() + ":4:"), s.err());
  }

  @Test
  void missingRequiredKeyNamesTheField() throws Exception {
    String plan = Files.readString(fs.layout.plan());
    Files.writeString(fs.layout.plan(), plan.replaceFirst("\"clean_build\": false,\n", ""));
    String err = refused();
    assertTrue(err.contains("phases[0].steps[0]") && err.contains("clean_build"), err);
  }

  @Test
  void legacyPlanRefused() throws Exception {
    Files.writeString(fs.layout.plan(), "\n  [ {\"name\": \"x\"} ]\n");
    assertTrue(refused().contains("Legacy build plan format is not supported"));
  }

  @Test
  void wrongFormatVersionRefused() throws Exception {
    String plan = Files.readString(fs.layout.plan());
    Files.writeString(fs.layout.plan(), plan.replace("\"format_version\": 2", "\"format_version\": 1"));
    String err = refused();
    assertTrue(err.contains("field format_version: Unsupported build plan format version 1 (expected 2)"), err);
  }

  @Test
  void missingPlanRefusedByRunnerAndStatus() throws Exception {
    Files.delete(fs.layout.plan());
    String err = refused();
    assertTrue(err.contains(fs.layout.plan() + ": build plan not found") && err.contains("--plan"), err);
    TestRootfs.Result s = fs.status();
    assertEquals(2, s.exit(), "a missing plan is not 'complete'");
    assertFalse(s.out().contains("next_phase=complete"));
  }

  @Test
  void unknownPhaseInOverrides() throws Exception {
    fs.writeOverrides("{\"phases\": {\"host-setpu\": {\"env\": {\"A\": \"1\"}}}}");
    String err = refused();
    assertTrue(err.contains(fs.layout.overrides() + ": field phases.host-setpu: Unknown build phases in overrides: host-setpu"
        + " (closest existing phase: host-setup); known phases: host-setup, sysroot-from-seed"), err);
  }

  @Test
  void unknownStepInOverrides() throws Exception {
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"steps\": {\"gama\": {\"env\": {\"GAMMA_OK\": \"1\"}}}}}}");
    String err = refused();
    assertTrue(err.contains("field phases.host-setup.steps.gama: unknown step gama in phase host-setup"
        + " (closest existing step: gamma); known steps: make-dirs, alpha, beta, gamma"), err);
  }

  @Test
  void unknownPackageInOverridesAllowlist() throws Exception {
    fs.writeOverrides("{\"phases\": {\"host-setup\": {\"packages\": [\"alpha\", \"zeta\"]}}}");
    String err = refused();
    assertTrue(err.contains("field phases.host-setup.packages: Unknown package(s) zeta"), err);
  }

  @Test
  void malformedOverridesNamesLineAndColumn() throws Exception {
    fs.writeOverrides("{\"phases\": {\n  \"host-setup\": {\"env\": [1, 2]}\n}}");
    String err = refused();
    assertTrue(err.startsWith("bq2: " + fs.layout.overrides() + ":2:"), err);
    assertTrue(err.contains("field phases.host-setup.env"), err);
  }

  @Test
  void noOverridesSkipsABrokenOverridesFile() throws Exception {
    fs.writeOverrides("{ not json");
    TestRootfs.Result r = fs.runner("--no-overrides", "--package", "make-dirs");
    assertEquals(0, r.exit(), r.toString());
  }

  @Test
  void corruptStateRefusedWithHintAndLeftUntouched() throws Exception {
    String corrupt = "{\n  \"format_version\": 1,\n  \"rootfs_id\": \"abc\",\n  \"progress\": {\"completed_steps\": \n";
    Files.writeString(fs.layout.state(), corrupt);
    String err = refused();
    assertTrue(err.contains(fs.layout.state().toString()), err);
    assertTrue(err.contains("move it aside") && err.contains("never resets progress"), err);
    assertEquals(corrupt, Files.readString(fs.layout.state()), "never reset");
    TestRootfs.Result s = fs.status();
    assertEquals(2, s.exit());
    assertEquals(corrupt, Files.readString(fs.layout.state()));
  }

  @Test
  void stateMissingRequiredKeyRefused() throws Exception {
    Files.writeString(fs.layout.state(), "{\"format_version\": 1, \"created_at\": \"2026-02-23 15:12:35 UTC\"}\n");
    String err = refused();
    assertTrue(err.contains("rootfs_id"), err);
  }

  @Test
  void unknownFlagIsUsageError() throws Exception {
    String err = refused("--frobnicate");
    assertTrue(err.contains("--frobnicate"), err);
  }
}
