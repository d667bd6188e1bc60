package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.state.BuildState;
import dev.bq2.supervise.ProcStat;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT/SIGTERM sent to a real runner JVM: the running step's whole process group (the shell
 * and its background `sleep`) is stopped, the step is recorded as failed with an "Interrupted"
 * report, the state stays consistent, and the exit code is 130/143.
 */
class InterruptTest {
  @TempDir Path dir;
  Process child;

  static final String PLAN = """
      {
        "format_version": 2,
        "phases": [
          {
            "name": "host-setup",
            "description": "interrupt me",
            "namespace": "host",
            "install_prefix": "/",
            "env": {},
            "steps": [
              {"name": "first", "strategy": "shell", "workdir": "@WORK@", "configure_flags": [], "patches": [],
               "env": {}, "clean_build": false, "content": "echo first >> trace"},
              {"name": "sleeper", "strategy": "shell", "workdir": "@WORK@", "configure_flags": [], "patches": [],
               "env": {}, "clean_build": false,
               "content": "sleep 600 & echo $! > sleeper.pid.tmp; echo $$ > group.pid; mv sleeper.pid.tmp sleeper.pid; wait"},
              {"name": "never", "strategy": "shell", "workdir": "@WORK@", "configure_flags": [], "patches": [],
               "env": {}, "clean_build": false, "content": "echo never >> trace"}
            ]
          }
        ]
      }
      """;

  @AfterEach
  void reap() {
    if (child != null && child.isAlive()) child.destroyForcibly();
  }

  @Test
  void sigintStopsTheGroupRecordsTheStepAndExits130() throws Exception {
    interrupt("INT", 130);
  }

  @Test
  void sigtermStopsTheGroupRecordsTheStepAndExits143() throws Exception {
    interrupt("TERM", 143);
  }

  private void interrupt(String signal, int expectedExit) throws Exception {
    TestRootfs fs = new TestRootfs(dir);
    fs.writePlan(PLAN);
    List<String> cmd = new ArrayList<>();
    // A JVM started with SIGINT ignored (a background job) cannot handle it; reset it for the child.
    cmd.addAll(List.of("env", "--default-signal=INT"));
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2",
        "sysroot-runner", "--rootfs", dir.toString()));
    File out = dir.resolve("runner.out").toFile();
    child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();

    Path sleeperPid = fs.work.resolve("sleeper.pid");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(sleeperPid)) {
      assertTrue(child.isAlive(), () -> "runner exited early: " + read(out));
      assertTrue(System.nanoTime() < deadline, "the sleeper step never started");
      Thread.sleep(20); // polling for a file another process creates
    }
    long pgid = Long.parseLong(Files.readString(fs.work.resolve("group.pid")).trim());
    long sleep = Long.parseLong(Files.readString(sleeperPid).trim());
    assertTrue(ProcStat.groupMembers(pgid).contains(sleep), "the sleep runs in the step's process group");
    assertNotEquals(ProcessHandle.current().pid(), pgid);

    Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(child.pid())).start();
    assertEquals(0, k.waitFor());
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "runner did not stop");
    String log = read(out);
    assertEquals(expectedExit, child.exitValue(), log);

    assertEquals(List.of(), ProcStat.groupMembers(pgid), "nothing of the step's process group is left");
    assertEquals(List.of("first"), Files.readAllLines(fs.work.resolve("trace")), "no later step ran");

    String message = "Interrupted by SIG" + signal;
    JsonNode report = fs.newestReport();
    assertEquals("sleeper", report.get("step").get("name").asText());
    assertEquals(message, report.get("error").asText());
    assertTrue(Files.exists(Path.of(report.get("output_log").asText())));

    BuildState state = fs.state();
    assertEquals(List.of("first"), state.progress().completedSteps().get("host-setup"));
    assertEquals("sleeper", state.progress().lastFailure().step());
    assertEquals(message, state.progress().lastFailure().error());
    assertEquals("host-setup", state.progress().currentPhase());
    assertTrue(log.contains(message), log);
  }

  private static String read(File f) {
    try {
      return Files.readString(f.toPath());
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
