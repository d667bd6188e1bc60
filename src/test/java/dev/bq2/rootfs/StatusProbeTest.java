package dev.bq2.rootfs;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parses the output of real status processes in both of the existing tool's forms. */
class StatusProbeTest {
  @TempDir Path dir;

  Path script(String body) throws Exception {
    Path s = dir.resolve("status.sh");
    Files.writeString(s, "#!/bin/sh\n" + body);
    return s;
  }

  @Test
  void parsesLoggerPrefixedAndBareLinesWithLogLevelForcedToInfo() throws Exception {
    Path s = script("""
        # like the existing tool: nothing at all above INFO
        [ "$LOG_LEVEL" = INFO ] || exit 0
        echo 'plan_path=/var/lib/sysroot-build-plan.json'
        echo "2026-02-23T14:41:25.685363Z   INFO - state_path=$PWD/state.json"
        echo '2026-02-23T14:41:25.685400Z   INFO - report_dir=/var/lib/sysroot-build-reports'
        echo '2026-02-23T14:41:25.685401Z   INFO - current_phase=host-setup'
        echo '2026-02-23T14:41:25.685402Z   INFO - next_phase=sysroot-from-seed'
        echo 'next_step=llvm-project-stage2'
        echo '2026-02-23T14:41:25.685403Z   INFO - last_failure=sysroot-from-seed/llvm-project-stage2'
        echo '2026-02-23T14:41:25.685404Z   INFO - last_failure_report=/var/lib/sysroot-build-reports/x y.json'
        echo 'some other noise' >&2
        """);
    PhaseStatus st = new StatusProbe(60).probe(List.of("sh", s.toString()), dir);
    assertEquals("/var/lib/sysroot-build-plan.json", st.planPath());
    assertEquals(dir.toRealPath() + "/state.json", st.statePath());
    assertEquals("/var/lib/sysroot-build-reports", st.reportDir());
    assertEquals("host-setup", st.currentPhase());
    assertEquals("sysroot-from-seed", st.nextPhase());
    assertEquals("llvm-project-stage2", st.nextStep());
    assertEquals("sysroot-from-seed/llvm-project-stage2", st.lastFailure());
    assertEquals("/var/lib/sysroot-build-reports/x y.json", st.lastFailureReport());
    assertFalse(st.complete());
  }

  @Test
  void completeAndOptionalLinesAbsent() throws Exception {
    Path s = script("echo 'plan_path=/p'\necho 'state_path=/s'\necho 'report_dir=/r'\necho 'next_phase=complete'\n");
    PhaseStatus st = new StatusProbe(60).probe(List.of("sh", s.toString()), null);
    assertTrue(st.complete());
    assertNull(st.nextStep());
    assertNull(st.lastFailure());
  }

  @Test
  void failingStatusCommandIsExit2WithItsLastLine() throws Exception {
    Path s = script("echo '2026-02-23T14:41:25.685363Z  ERROR - No valid workspace found, build out the workspace first'\nexit 255\n");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> new StatusProbe(60).probe(List.of("sh", s.toString()), null));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("exited 255 (no workspace found)"), e.getMessage());
    assertTrue(e.getMessage().contains("No valid workspace found"), e.getMessage());
  }

  @Test
  void outputWithoutNextPhaseIsExit2() throws Exception {
    Path s = script("echo hello\n");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> new StatusProbe(60).probe(List.of("sh", s.toString()), null));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("no next_phase= line (last line: hello)"), e.getMessage());
  }

  @Test
  void missingCommandIsExit2() {
    Bq2Exception e = assertThrows(Bq2Exception.class,
        () -> new StatusProbe(60).probe(List.of(dir.resolve("no-such-status").toString()), null));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("--status-command"), e.getMessage());
  }

  @Test
  void detectedRepoStatusCommandIsRunWithItsWorkdirFromTheRightDirectory() throws Exception {
    Path fs = dir.resolve("fs");
    Path repo = Files.createDirectories(fs.resolve("work/bootstrap-qcow2"));
    Path rootfs = repo.resolve("data/sysroot/seed-rootfs/bq2-rootfs");
    ContextDetectorTest.plan(rootfs);
    Path bin = Files.createDirectories(repo.resolve("bin"));
    Path status = bin.resolve("sysroot-status");
    Files.writeString(status, """
        #!/bin/sh
        hw=${1#--workdir=}
        echo "2026-02-23T14:41:25.685363Z   INFO - plan_path=$hw/seed-rootfs/bq2-rootfs/var/lib/sysroot-build-plan.json"
        echo "2026-02-23T14:41:25.685363Z   INFO - next_phase=from-$(basename "$PWD")"
        """);
    Files.setPosixFilePermissions(status, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Context c = new ContextDetector().fsRoot(fs).cwd(fs).env(java.util.Map.of()).detect();
    PhaseStatus st = new StatusProbe(60).probe(c.statusArgv(), c.toolCwd());
    assertEquals(rootfs.resolve("var/lib/sysroot-build-plan.json").toString(), st.planPath());
    assertEquals("from-bootstrap-qcow2", st.nextPhase());
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void aStatusCommandThatHangsWithItsOutputOpenIsEndedByTheTimeout() {
    // The old reader waited for end of output before it started the clock: this would hang.
    List<String> argv = List.of("sh", "-c", "echo next_phase=p; exec sleep 600");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> new StatusProbe(2).probe(argv, dir));
    assertEquals(3, e.exitCode());
    assertTrue(e.getMessage().contains("did not finish in 2 s"), e.getMessage());
  }
}
