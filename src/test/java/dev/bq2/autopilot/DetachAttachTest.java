package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import dev.bq2.supervise.RunRecord;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: `bq2 iterate --detach` runs the autopilot itself in the background (it outlives the
 * command that started it) and says where its log and journal are; `--attach` follows it to
 * the end and exits with its exit code; `bq2 stop` stops it.
 */
class DetachAttachTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void detachedAutopilotRunsOnItsOwnAndAttachFollowsItToItsExitCode() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path gate = dir.resolve("gate");
    RootfsLayout layout = Fixture.plan(rootfs, "night", Map.of("GATE", gate.toString()),
        Fixture.Step.shell("docs", "if [ \"${MAKEINFO:-}\" != true ]; then echo 'makeinfo: command not found' >&2; exit 127; fi"),
        Fixture.Step.shell("wait", "while [ ! -e \"$GATE\" ]; do sleep 0.05; done\necho released"));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));

    ChildJvm detach = ChildJvm.run(dir, dir.resolve("detach"), Duration.ofSeconds(60),
        "iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--detach", "--quiet");
    assertEquals(0, detach.exit(), detach.toString());
    assertTrue(detach.stdout().contains("autopilot detached (pid "), detach.stdout());
    assertTrue(detach.stdout().contains("log     " + layout.logDir().resolve("autopilot")), detach.stdout());
    assertTrue(detach.stdout().contains("journal " + rootfs.resolve("var/lib/sysroot-build-sessions")), detach.stdout());
    // Issue 10 item 18: the real journal, the folder the detached autopilot opened, not a pattern.
    java.util.regex.Matcher jm = java.util.regex.Pattern.compile("(?m)^iterate: journal (\\S+)$").matcher(detach.stdout());
    assertTrue(jm.find(), detach.stdout());
    Path journal = Path.of(jm.group(1));
    assertTrue(journal.getParent().getFileName().toString().matches("\\d{8}T\\d{6}Z-night"), journal.toString());
    assertTrue(Files.isRegularFile(journal.resolveSibling("events.jsonl")), "the autopilot journals there: " + journal);

    Path pointer = layout.logDir().resolve("autopilot/current-run.json");
    RunRecord autopilot = Json.read(pointer, RunRecord.class, "test");
    assertTrue(ProcessHandle.of(autopilot.pid()).map(ProcessHandle::isAlive).orElse(false),
        "the autopilot outlived the command that detached it");

    ChildJvm attach = ChildJvm.start(dir, dir.resolve("attach"),
        "iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--attach");
    ChildJvm.await("the detached autopilot's runner to wait at the gate", Duration.ofSeconds(60),
        () -> attach.stdout().contains("#2 runner started") || !attach.process.isAlive());
    Files.writeString(gate, "");
    assertEquals(0, attach.waitFor(Duration.ofSeconds(60)), attach.toString());
    String out = attach.stdout();
    assertTrue(out.contains("attached to autopilot pid " + autopilot.pid()), out);
    assertTrue(out.contains("MAKEINFO=\"true\""), "the followed log shows the autopilot's own lines: " + out);
    assertTrue(out.contains("phase night complete"), out);
    assertTrue(out.contains("detached autopilot ended: exit 0"), out);
    assertEquals("complete", Status.compute(layout, true).nextPhase());
  }

  @Test
  @Timeout(60)
  void attachWithoutADetachedAutopilotIsBadInput() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Fixture.plan(rootfs, "p", Map.of(), Fixture.Step.shell("ok", "true"));
    ChildJvm attach = ChildJvm.run(dir, dir.resolve("attach"), Duration.ofSeconds(60),
        "iterate", "--rootfs", rootfs.toString(), "--attach");
    assertEquals(2, attach.exit(), attach.toString());
    assertTrue(attach.stderr().contains("no detached autopilot for " + rootfs), attach.stderr());
  }
}
