package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 18: `bq2 reports` marks a failure that a later run fixed (its step completed
 * since) as `fixed`, and one still failing as `open`. Real runner and reports processes.
 */
class ReportsFixedTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void aFailureALaterRunFixedIsMarkedFixed() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    RootfsLayout layout = Fixture.plan(rootfs, "night", Map.of(),
        Fixture.Step.shell("first", "if [ \"${FIX:-}\" != 1 ]; then echo 'first: not fixed yet' >&2; exit 3; fi"),
        Fixture.Step.shell("second", "echo 'second: always broken' >&2; exit 4"));
    String fsRoot = Files.createDirectories(dir.resolve("empty-fs-root")).toString();

    ChildJvm run1 = ChildJvm.run(dir, dir.resolve("run1"), Duration.ofMinutes(2), "sysroot-runner", "--rootfs", rootfs.toString());
    assertEquals(1, run1.exit(), run1.toString());
    ChildJvm open = ChildJvm.run(dir, dir.resolve("reports0"), Duration.ofMinutes(2),
        "reports", "--rootfs", rootfs.toString(), "--fs-root", fsRoot);
    assertTrue(open.stdout().contains("  open   night/first  "), open.stdout());

    Files.writeString(layout.overrides(), "{\"phases\": {\"night\": {\"steps\": {\"first\": {\"env\": {\"FIX\": \"1\"}}}}}}\n");
    ChildJvm run2 = ChildJvm.run(dir, dir.resolve("run2"), Duration.ofMinutes(2), "sysroot-runner", "--rootfs", rootfs.toString());
    assertEquals(1, run2.exit(), run2.toString());

    ChildJvm reports = ChildJvm.run(dir, dir.resolve("reports"), Duration.ofMinutes(2),
        "reports", "--rootfs", rootfs.toString(), "--fs-root", fsRoot);
    // -n as `log -n`: the newest N only.
    ChildJvm newest = ChildJvm.run(dir, dir.resolve("reports-n"), Duration.ofMinutes(2),
        "reports", "--rootfs", rootfs.toString(), "--fs-root", fsRoot, "-n", "1");
    assertEquals(0, newest.exit(), newest.toString());
    assertEquals(List.of("night/second"), newest.stdout().lines().filter(l -> !l.startsWith(" "))
        .map(l -> l.split("  +")[2]).toList(), newest.stdout());
    assertEquals(0, reports.exit(), reports.toString());
    List<String> lines = reports.stdout().lines().filter(l -> !l.startsWith(" ")).toList();
    assertEquals(2, lines.size(), reports.stdout());
    assertTrue(lines.get(0).contains("  fixed  night/first  Command failed (3)"), reports.stdout());
    assertTrue(lines.get(1).contains("  open   night/second  Command failed (4)"), reports.stdout());

    ChildJvm json = ChildJvm.run(dir, dir.resolve("reports-json"), Duration.ofMinutes(2),
        "reports", "--rootfs", rootfs.toString(), "--fs-root", fsRoot, "--json");
    List<JsonNode> rows = json.stdout().lines().map(l -> Json.tree(Path.of("stdout"), l, "test")).toList();
    assertTrue(rows.get(0).get("fixed").asBoolean(), json.stdout());
    assertFalse(rows.get(1).get("fixed").asBoolean(), json.stdout());
  }
}
