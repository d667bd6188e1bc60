package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.InProcessCli;
import dev.bq2.boot.BootImages;
import dev.bq2.boot.BootOutcome;
import dev.bq2.json.Json;
import dev.bq2.tasks.Task;
import dev.bq2.tasks.TaskQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 "in the loop": `bq2 iterate --all-phases --boot-check ARGS` on the demo builds every
 * phase, then boots a busybox tree in QEMU (TCG) with a real kernel. A failed smoke command stops
 * for a person (exit 3): the journal links the boot investigation log, the diagnosis is a task,
 * the summary shows the check. After the person's fix, the next `iterate` boots again, passes,
 * and ticks the task off.
 */
class IterateBootCheckTest {
  @TempDir Path dir;

  @Test
  @Timeout(900)
  void aFailedBootCheckStopsForAPersonAndThePassingOneTicksItsTaskOff() throws Exception {
    // What was built is stood in for by boot-images' busybox guest (a coloured prompt, ESC[6n and all).
    Path kernel = BootImages.kernel();
    Path tree = BootImages.rootfs(BootImages.Guest.COLOURED_SHELL, dir.resolve("boot-tree"));
    Path demo = dir.resolve("demo");
    assertEquals(0, InProcessCli.run("demo", "--write-only", "--dir", demo.toString()).exit());
    Path rootfs = demo.resolve("rootfs");
    Path repo = demo.resolve("repo");
    Path sessions = repo.resolve("session");
    String args = "--rootfs " + tree + " --kernel " + kernel + " --accel tcg --run 'test -f /etc/fixed'";

    // 1: every phase builds (the rules fix the demo's failures), then the smoke command fails.
    ChildJvm one = ChildJvm.run(dir, dir.resolve("iterate-1"), Duration.ofMinutes(8), "iterate", "--all-phases",
        "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--quiet", "--jobs", "2", "--boot-check", args);
    assertEquals(ExitCodes.NEEDS_PERSON, one.exit(), one.toString());
    assertTrue(one.stdout().contains("iterate: stopped, needs a person: boot check failed: "), one.stdout());

    Path boot1 = bootSessions(sessions).get(0);
    BootOutcome o1 = BootOutcome.read(boot1.resolve(BootOutcome.FILE));
    assertFalse(o1.passed());
    assertEquals("smoke-failed", o1.diagnosis().kind());
    assertEquals("tcg", o1.accel());

    Path journal = lastPhaseSession(sessions);
    List<JournalEvent> ev = Fixture.events(journal);
    List<String> types = Fixture.types(ev);
    assertTrue(types.indexOf("phase_complete") < types.indexOf("boot_check_started"), types.toString());
    JournalEvent check = ev.stream().filter(e -> e.type().equals("boot_check")).findFirst().orElseThrow();
    assertEquals(Boolean.FALSE, check.get("passed"));
    assertEquals("smoke-failed", check.get("kind"));
    assertEquals(boot1.resolve("journal.md").toString(), check.get("boot_journal"));
    JournalEvent stopped = ev.get(ev.size() - 1);
    assertEquals("stopped", stopped.type());
    assertEquals("boot:smoke-failed", stopped.get("task"));
    assertTrue(String.valueOf(stopped.get("next_action")).startsWith("read the boot investigation log " + boot1.resolve("journal.md")),
        stopped.toString());
    // journal.md links the investigation log, relative to itself, and the link leads to it.
    String link = "../" + boot1.getFileName() + "/journal.md";
    String md = Files.readString(journal.resolve("journal.md"));
    assertTrue(md.contains("- [ ] read the boot investigation log: [" + link + "](" + link + ")"), md);
    assertTrue(md.contains("- Boot check: FAILED: " + o1.verdict() + " ([investigation log](" + link + "))"), md);
    assertTrue(Files.readString(journal.resolve(link)).contains("smoke"), "the link leads to the boot journal");

    TaskQueue queue = TaskQueue.open(sessions);
    Task task = queue.tasks().stream().filter(t -> t.key().equals("boot:smoke-failed")).findFirst().orElseThrow();
    assertTrue(task.open());
    assertEquals("session/" + boot1.getFileName(), task.source());
    assertTrue(task.text().contains("test -f /etc/fixed"), task.text());

    InProcessCli.Result summary = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString());
    assertEquals(0, summary.exit(), summary.toString());
    String s = summary.out();
    assertTrue(s.contains("\nboot checks: 1 (1 failed)\n"), s);
    assertTrue(s.contains("  FAILED (smoke-failed): "), s);
    assertTrue(s.contains("      stages: image "), s);
    assertTrue(s.contains("      log: " + boot1.resolve("journal.md")), s);
    assertTrue(s.contains("\nopen tasks: 1 in " + queue.file() + "\n  - "), s);
    assertTrue(s.contains("\nnext actions:\n  - the last boot check failed (smoke-failed): "), s);

    // 2: the person fixes the system; the next iterate finds the plan complete and boots it again.
    Files.writeString(tree.resolve("etc/fixed"), "yes\n");
    ChildJvm two = ChildJvm.run(dir, dir.resolve("iterate-2"), Duration.ofMinutes(5), "iterate",
        "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--quiet", "--boot-check", args);
    assertEquals(ExitCodes.OK, two.exit(), two.toString());
    assertTrue(two.stdout().contains("iterate: boot check passed: root shell reached; 1/1 smoke commands passed"), two.stdout());
    Path boot2 = bootSessions(sessions).get(1);
    assertTrue(BootOutcome.read(boot2.resolve(BootOutcome.FILE)).passed());

    Task done = queue.tasks().stream().filter(t -> t.key().equals("boot:smoke-failed")).findFirst().orElseThrow();
    assertEquals(Task.State.DONE, done.state());
    assertEquals("resolved by session session/" + boot2.getFileName() + " (boot check passed: root shell reached; "
        + "1/1 smoke commands passed)", done.how());
    assertEquals(journal, lastPhaseSession(sessions), "the check went into the last phase's session again");
    List<JournalEvent> ev2 = Fixture.events(journal);
    JournalEvent lastEvent = ev2.get(ev2.size() - 1);
    assertEquals("boot_check", lastEvent.type());
    assertEquals(Boolean.TRUE, lastEvent.get("passed"));
    assertTrue(Fixture.types(ev2).contains("task_resolved"));
    assertTrue(Files.readString(journal.resolve("journal.md")).contains("- [x] boot check passed: root shell reached"));

    InProcessCli.Result json = InProcessCli.run("summary", "--rootfs", rootfs.toString(), "--repo", repo.toString(), "--json");
    JsonNode j = Json.MAPPER.readTree(json.out());
    assertEquals(List.of("failed", "passed"), j.get("boot_checks").findValuesAsText("result"));
    assertEquals(0, j.get("open_tasks").size());
    assertFalse(j.get("next_actions").toString().contains("boot check failed"), j.get("next_actions").toString());
  }

  @Test
  void bootCheckArgumentsAreCheckedBeforeAnythingIsBuilt() throws Exception {
    Path demo = dir.resolve("demo");
    assertEquals(0, InProcessCli.run("demo", "--write-only", "--dir", demo.toString()).exit());
    for (String bad : List.of("--kernel /k --bogus", "--run 'unclosed", "--timeout never")) {
      InProcessCli.Result r = InProcessCli.run("iterate", "--all-phases", "--rootfs", demo.resolve("rootfs").toString(),
          "--repo", demo.resolve("repo").toString(), "--boot-check", bad);
      assertEquals(ExitCodes.BAD_INPUT, r.exit(), bad + ": " + r);
      assertTrue(r.err().startsWith("bq2: --boot-check "), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    assertFalse(Files.exists(demo.resolve("rootfs/var/lib/sysroot-build-state.json")), "nothing was built");
  }

  private static List<Path> bootSessions(Path sessions) throws Exception {
    return Fixture.sessions(sessions).stream().filter(p -> Files.exists(p.resolve(BootOutcome.FILE))).toList();
  }

  /** The newest session of the demo plan's last phase. */
  private static Path lastPhaseSession(Path sessions) throws Exception {
    List<Path> all = Fixture.sessions(sessions).stream().filter(p -> Files.exists(p.resolve("events.jsonl"))).toList();
    return all.get(all.size() - 1);
  }
}
