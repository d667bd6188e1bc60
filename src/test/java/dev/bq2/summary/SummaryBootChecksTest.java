package dev.bq2.summary;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ExitCodes;
import dev.bq2.InProcessCli;
import dev.bq2.boot.BootOutcome;
import dev.bq2.json.Json;
import dev.bq2.tasks.TaskQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: `bq2 summary` shows the boot checks of the period (from each `<UTC>-boot/boot-outcome.json`:
 * passed or failed, verdict, diagnosis, stage timings in short) and the open tasks of the queue.
 * The outcomes here are written with the boot package's own record; IterateBootCheckTest has real boots.
 */
class SummaryBootChecksTest {
  @TempDir Path dir;

  @Test
  void showsTheBootChecksOfThePeriodAndTheOpenTasks() throws Exception {
    Path demo = dir.resolve("demo");
    assertEquals(0, InProcessCli.run("demo", "--write-only", "--dir", demo.toString()).exit());
    Path rootfs = demo.resolve("rootfs");
    Path repo = demo.resolve("repo");
    Path sessions = repo.resolve("session");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    outcome(sessions.resolve("20200101T000000Z-boot"), true, now.minus(3, ChronoUnit.DAYS), null); // before the period
    outcome(sessions.resolve("20261130T010000Z-boot"), false, now.minusSeconds(3600), new BootOutcome.Diagnosis("kernel-panic",
        "Kernel panic - not syncing: No working init found.", "the initramfs has no /init or /sbin/init",
        "put an init in the image (rdinit=/bin/sh to try)"));
    outcome(sessions.resolve("20261130T020000Z-boot"), true, now.minusSeconds(600), null);
    Files.writeString(Files.createDirectories(sessions.resolve("20261130T030000Z-boot")).resolve("boot-outcome.json"), "{\"version\": ");
    TaskQueue q = TaskQueue.open(sessions);
    q.register("boot:kernel-panic", "Put an init in the image", "session/20261130T010000Z-boot");
    q.register("iterate:core/zlib:limit", "Fix zlib by hand", "session/20261130T000000Z-core");
    q.resolve("iterate:core/zlib:limit", "resolved by session x");

    InProcessCli.Result r = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--since", "12h");
    assertEquals(ExitCodes.OK, r.exit(), r.toString());
    String text = r.out();
    assertTrue(text.contains("\nboot checks: 3 (1 failed, 1 passed, 1 unreadable)\n"), text);
    assertTrue(text.contains("  FAILED (kernel-panic): root shell not reached [tcg, 12s]\n"
        + "      stages: qemu-start 500ms, first-byte 1.5s, kernel 2s, init not reached\n"
        + "      last seen: Kernel panic - not syncing: No working init found.\n"
        + "      likely cause: the initramfs has no /init or /sbin/init\n"
        + "      fix: put an init in the image (rdinit=/bin/sh to try)\n"
        + "      log: " + sessions.resolve("20261130T010000Z-boot/journal.md") + "\n"), text);
    assertTrue(text.contains("  passed: root shell reached; 1/1 smoke commands passed [tcg, 12s]\n"
        + "      stages: qemu-start 500ms, first-byte 1.5s, kernel 2s, init 1s, root-shell 3s, `uname -r` exit 0 200ms\n"), text);
    assertTrue(text.contains("  unreadable: unreadable outcome: " + sessions.resolve("20261130T030000Z-boot/boot-outcome.json")), text);
    assertFalse(text.contains("20200101T000000Z-boot"), "outside the period: " + text);
    assertTrue(text.contains("\nopen tasks: 1 in " + q.file() + "\n  - Put an init in the image — boot:kernel-panic\n"), text);
    assertFalse(text.contains("Fix zlib by hand"), "done tasks are not open: " + text);
    assertTrue(text.contains("  - 1 open task(s) in the task queue: `bq2 tasks`"), text);

    InProcessCli.Result j = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--json");
    JsonNode json = Json.MAPPER.readTree(j.out());
    assertEquals(3, json.get("boot_checks").size());
    JsonNode failed = json.get("boot_checks").get(0);
    assertFalse(failed.get("passed").asBoolean());
    assertEquals("failed", failed.get("result").asText());
    assertEquals("unreadable", json.get("boot_checks").get(2).get("result").asText());
    assertEquals("kernel-panic", failed.get("kind").asText());
    assertEquals("20261130T010000Z-boot", failed.get("session").asText());
    assertTrue(json.get("boot_checks").get(1).get("passed").asBoolean());
    assertEquals("boot:kernel-panic", json.get("open_tasks").get(0).get("key").asText());
    assertEquals(q.file().toString(), json.get("task_queue").asText());
  }

  @Test
  void aFailedLastBootCheckComesFirstInTheNextActions() throws Exception {
    Path demo = dir.resolve("demo");
    assertEquals(0, InProcessCli.run("demo", "--write-only", "--dir", demo.toString()).exit());
    Path sessions = demo.resolve("repo/session");
    outcome(sessions.resolve("20261130T010000Z-boot"), false, Instant.now().minusSeconds(60), new BootOutcome.Diagnosis(
        "no-serial-output", "", "the kernel command line has no serial console", "add console=ttyS0,115200"));
    InProcessCli.Result r = InProcessCli.run("summary", "--rootfs", demo.resolve("rootfs").toString(), "--repo",
        demo.resolve("repo").toString());
    String next = r.out().substring(r.out().indexOf("\nnext actions:\n"));
    assertTrue(next.startsWith("\nnext actions:\n  - the last boot check failed (no-serial-output): add console=ttyS0,115200; "
        + "its investigation log: " + sessions.resolve("20261130T010000Z-boot/journal.md") + "\n"), next);
  }

  /** A boot-outcome.json as boot-check writes it, ending at {@code ended} after 12 s. */
  private static void outcome(Path folder, boolean passed, Instant ended, BootOutcome.Diagnosis d) throws Exception {
    List<BootOutcome.Stage> stages = passed
        ? List.of(new BootOutcome.Stage("qemu-start", 0.5, true), new BootOutcome.Stage("first-byte", 1.5, true),
            new BootOutcome.Stage("kernel", 2.0, true), new BootOutcome.Stage("init", 1.0, true),
            new BootOutcome.Stage("root-shell", 3.0, true))
        : List.of(new BootOutcome.Stage("qemu-start", 0.5, true), new BootOutcome.Stage("first-byte", 1.5, true),
            new BootOutcome.Stage("kernel", 2.0, true), new BootOutcome.Stage("init", null, false),
            new BootOutcome.Stage("root-shell", null, false));
    List<BootOutcome.Smoke> smoke = passed ? List.of(new BootOutcome.Smoke("uname -r", 0, 0.2, "6.1.0-57-amd64\n")) : List.of();
    Files.createDirectories(folder);
    new BootOutcome(1, passed, passed ? "root shell reached; 1/1 smoke commands passed" : "root shell not reached", d, "tcg",
        "KVM not asked for", stages, smoke, ended.minusSeconds(12).toString(), ended.toString(),
        List.of("qemu-system-x86_64", "-nographic"), folder.toString()).write(folder.resolve(BootOutcome.FILE));
  }
}
