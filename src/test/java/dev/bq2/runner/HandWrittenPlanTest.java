package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2 "must show": a plan written by hand in the existing tool's format
 * (src/test/resources/plans/three-c-packages.json) runs end to end in a real `bq2
 * sysroot-runner` process: three tiny C packages (src/test/resources/packages/three-c) built
 * with gcc and make, one of which fails until an override adds a configure flag; the rerun
 * resumes at the failed step.
 */
class HandWrittenPlanTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void threeCPackagesOneFailsUntilAnOverrideAddsAFlagThenTheRerunResumes() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path work = dir.resolve("work");
    RootfsLayout layout = RootfsLayout.of(rootfs);
    copyPackages(work);
    Files.createDirectories(layout.plan().getParent());
    String plan = TestRootfs.resourceText("three-c-packages.json")
        .replace("@WORK@", work.toString()).replace("@ROOTFS@", rootfs.toString());
    Files.writeString(layout.plan(), plan);
    byte[] planBytes = Files.readAllBytes(layout.plan());
    Path trace = work.resolve("trace");

    // Run 1: alpha builds, beta fails to compile: exit 1 and a report.
    ChildJvm first = ChildJvm.run(dir, dir.resolve("run1"), Duration.ofSeconds(60),
        "sysroot-runner", "--rootfs", rootfs.toString(), "--jobs", "2");
    assertEquals(1, first.exit(), first.toString());
    assertEquals(List.of("configure alpha-1.0 --prefix=/usr", "configure beta-1.0 --prefix=/usr"),
        Files.readAllLines(trace));
    assertEquals("alpha ok", run(rootfs.resolve("usr/bin/alpha")));
    assertFalse(Files.exists(rootfs.resolve("usr/bin/beta")));

    List<Path> reports = list(layout.reportDir(), ".json");
    assertEquals(1, reports.size(), "one failure, one report: " + reports);
    assertTrue(reports.get(0).getFileName().toString().matches("\\d{8}T\\d{6}\\.\\d{3}Z-userland-beta-[0-9a-f]{8}\\.json"),
        reports.get(0).toString());
    JsonNode report = Json.tree(reports.get(0), Files.readString(reports.get(0)), "test");
    assertEquals(1, report.get("format_version").asInt());
    assertEquals("userland", report.get("phase").get("name").asText(), report.toPrettyString());
    assertEquals("beta", report.get("step").get("name").asText());
    assertEquals(2, report.get("exit_code").asInt(), "make's exit code");
    assertEquals("make", report.get("command").get(0).asText(), report.toPrettyString());
    Path outputLog = Path.of(report.get("output_log").asText());
    assertTrue(Files.readString(outputLog).contains("ANSWER is not defined"), "the compiler error is in the step's log");
    assertTrue(report.get("log_tail").toString().contains("ANSWER is not defined"));

    TestRootfs.Result status = new TestRootfs(rootfs).status();
    assertEquals(0, status.exit(), status.toString());
    assertTrue(status.out().contains("next_phase=userland\n"), status.out());
    assertTrue(status.out().contains("next_step=beta\n"), status.out());
    assertTrue(status.out().contains("last_failure=userland/beta\n"), status.out());
    assertTrue(status.out().contains("last_failure_report=" + reports.get(0)), status.out());

    // The override the existing tool would write: add one configure flag to beta.
    Files.writeString(layout.overrides(), """
        {
          "phases": {
            "userland": {
              "steps": {
                "beta": {
                  "configure_flags_add": [
                    "--with-answer=42"
                  ],
                  "patches_add": []
                }
              }
            }
          }
        }
        """);
    Files.delete(trace);

    // Run 2: resumes at beta (alpha is not rebuilt), then gamma; the plan is complete.
    ChildJvm second = ChildJvm.run(dir, dir.resolve("run2"), Duration.ofSeconds(60),
        "sysroot-runner", "--rootfs", rootfs.toString(), "--jobs", "2");
    assertEquals(0, second.exit(), second.toString());
    assertEquals(List.of("configure beta-1.0 --prefix=/usr --with-answer=42", "configure gamma-1.0 --prefix=/usr"),
        Files.readAllLines(trace), "only the failed step and the ones after it ran");
    assertEquals("alpha ok", run(rootfs.resolve("usr/bin/alpha")));
    assertEquals("beta 42", run(rootfs.resolve("usr/bin/beta")));
    assertEquals("gamma 0", run(rootfs.resolve("usr/bin/gamma")));

    JsonNode state = Json.tree(layout.state(), Files.readString(layout.state()), "test");
    assertEquals(1, state.get("format_version").asInt());
    assertEquals("[\"alpha\",\"beta\",\"gamma\"]", state.get("progress").get("completed_steps").get("userland").toString(),
        state.toPrettyString());
    assertTrue(state.get("progress").path("last_failure").isMissingNode() || state.get("progress").get("last_failure").isNull(),
        "a later success clears last_failure: " + state.toPrettyString());
    TestRootfs.Result done = new TestRootfs(rootfs).status();
    assertTrue(done.out().contains("next_phase=complete\n"), done.out());
    assertArrayEquals(planBytes, Files.readAllBytes(layout.plan()), "the runner never writes the plan");
  }

  /** Copies the package sources from the test resources (configure made executable). */
  static void copyPackages(Path work) throws IOException, URISyntaxException {
    Path src = Path.of(HandWrittenPlanTest.class.getResource("/packages/three-c").toURI());
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : walk.toList()) {
        Path target = work.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
          if (p.getFileName().toString().equals("configure")) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
          }
        }
      }
    }
  }

  static String run(Path program) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(program.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), program + " did not finish");
    assertEquals(0, p.exitValue(), program + ": " + out);
    return out;
  }

  static List<Path> list(Path d, String suffix) throws IOException {
    if (!Files.isDirectory(d)) return List.of();
    try (Stream<Path> s = Files.list(d)) {
      return new ArrayList<>(s.filter(p -> p.toString().endsWith(suffix)).sorted().toList());
    }
  }
}
