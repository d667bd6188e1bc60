package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.propose.RuleProposer;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.tasks.Task;
import dev.bq2.tasks.TaskQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a stop for a person puts its next action in the task queue kept across sessions,
 * once per follow-up however often it recurs; a later run that completes the step, or the
 * phase, ticks it off and journals that. Real runners, real step failures, real files.
 */
class IterateTasksTest {
  @TempDir Path dir;

  @Test
  @Timeout(240)
  void stopsRegisterTheirNextActionsOnceAndLaterRunsTickThemOff() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path flag1 = dir.resolve("flaky.fixed");
    Path flag2 = dir.resolve("last.fixed");
    RootfsLayout layout = Fixture.plan(rootfs, "p", Map.of("FLAG1", flag1.toString(), "FLAG2", flag2.toString()),
        Fixture.Step.shell("first", "true"),
        Fixture.Step.shell("flaky", "test -f \"$FLAG1\" || { echo 'flaky: the input file is missing' >&2; exit 1; }"),
        Fixture.Step.shell("last", "test -f \"$FLAG2\" || { echo 'last: cannot find the widget' >&2; exit 1; }"));
    Path sessions = rootfs.resolve("var/lib/sysroot-build-sessions");
    TaskQueue queue = TaskQueue.open(sessions);

    // 1: no rule knows the failure: exit 3, and its next action is a task.
    Fixture.Run one = Fixture.iterate(Fixture.context(dir, rootfs), List.of(RuleProposer.withDefaults()), 3, 20, null, false);
    assertEquals(ExitCodes.NEEDS_PERSON, one.result.exitCode(), one.toString());
    List<Task> tasks = queue.tasks();
    assertEquals(1, tasks.size(), tasks.toString());
    Task flaky = tasks.get(0);
    assertTrue(flaky.key().matches("iterate:p/flaky:[0-9a-f]{12}"), flaky.key());
    assertTrue(flaky.open());
    assertTrue(flaky.text().startsWith("no safe fix known for p/flaky (") && flaky.text().contains(": read "), flaky.text());
    Path session1 = Fixture.sessions(sessions).get(0);
    assertEquals("sysroot-build-sessions/" + session1.getFileName(), flaky.source());
    JournalEvent stopped = last(Fixture.events(session1), "stopped");
    assertEquals(flaky.key(), stopped.get("task"));
    assertTrue(Files.readString(session1.resolve("journal.md")).contains("(task `" + flaky.key() + "` in the task queue)"));
    assertTrue(one.out.contains("iterate: task: " + flaky.key() + " in " + queue.file()), one.out);

    // 2: the same failure stops the next run too: still one task, untouched.
    String before = Files.readString(queue.file());
    Fixture.Run two = Fixture.iterate(Fixture.context(dir, rootfs), List.of(RuleProposer.withDefaults()), 3, 20, null, false);
    assertEquals(ExitCodes.NEEDS_PERSON, two.result.exitCode(), two.toString());
    assertEquals(2, Fixture.sessions(sessions).size(), "a new session");
    assertEquals(before, Files.readString(queue.file()), "the same follow-up is not registered twice");

    // 3: a person fixes flaky; the run gets past it, and `last` stops it: flaky's task is done.
    Files.writeString(flag1, "");
    Fixture.Run three = Fixture.iterate(Fixture.context(dir, rootfs), List.of(RuleProposer.withDefaults()), 3, 20, null, false);
    assertEquals(ExitCodes.NEEDS_PERSON, three.result.exitCode(), three.toString());
    Path session3 = Fixture.sessions(sessions).get(2);
    tasks = queue.tasks();
    assertEquals(2, tasks.size(), tasks.toString());
    Task flakyDone = tasks.get(0);
    assertEquals(Task.State.DONE, flakyDone.state());
    assertEquals("resolved by session sysroot-build-sessions/" + session3.getFileName() + " (p/flaky completed)", flakyDone.how());
    Task lastTask = tasks.get(1);
    assertTrue(lastTask.key().startsWith("iterate:p/last:") && lastTask.open(), lastTask.toString());
    List<JournalEvent> ev3 = Fixture.events(session3);
    JournalEvent resolvedEvent = last(ev3, "task_resolved");
    assertEquals(flaky.key(), resolvedEvent.get("key"));
    assertTrue(ev3.indexOf(resolvedEvent) < ev3.indexOf(last(ev3, "stopped")));
    assertTrue(three.out.contains("1 task(s) of the task queue done now"), three.out);

    // 4: fixed too: the phase completes, and every task of it is done.
    Files.writeString(flag2, "");
    Fixture.Run four = Fixture.iterate(Fixture.context(dir, rootfs), List.of(RuleProposer.withDefaults()), 3, 20, null, false);
    assertEquals(ExitCodes.OK, four.result.exitCode(), four.toString());
    Path session4 = Fixture.sessions(sessions).get(3);
    Task lastDone = queue.tasks().get(1);
    assertEquals(Task.State.DONE, lastDone.state());
    assertEquals("resolved by session sysroot-build-sessions/" + session4.getFileName() + " (phase p complete)", lastDone.how());
    List<JournalEvent> ev4 = Fixture.events(session4);
    assertEquals("phase_complete", ev4.get(ev4.size() - 1).type(), "the session still ends with its phase: " + ev4);
    assertTrue(queue.open("").isEmpty());

    // `bq2 tasks` finds the same queue by the rootfs alone.
    ChildJvm list = ChildJvm.run(dir, dir.resolve("tasks"), Duration.ofMinutes(2), "tasks", "--rootfs", rootfs.toString(),
        "--fs-root", dir.resolve("empty-fs-root").toString());
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.stdout().startsWith("task queue: " + queue.file() + "\nopen (0): none\ndone since "), list.stdout());
    assertTrue(list.stdout().contains("  - [x] no safe fix known for p/flaky ("), list.stdout());
    assertTrue(list.stdout().contains("  - [x] no safe fix known for p/last ("), list.stdout());
    assertTrue(layout.plan().toFile().exists());
  }

  private static JournalEvent last(List<JournalEvent> events, String type) {
    JournalEvent found = null;
    for (JournalEvent e : events) if (e.type().equals(type)) found = e;
    assertNotNull(found, type + " in " + events);
    return found;
  }
}
