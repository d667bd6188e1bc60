package dev.bq2.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import dev.bq2.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskQueueTest {
  private static final String TS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

  @TempDir Path root;

  @Test
  void registersOnceByKeyResolvesAndReopensSayingSo() throws Exception {
    TaskQueue q = TaskQueue.open(root);
    assertTrue(q.tasks().isEmpty(), "no file yet: an empty queue");
    assertFalse(Files.exists(root.resolve("task-queue.md")), "reading creates nothing");

    assertTrue(q.register("boot:no-login-prompt", "Investigate login prompt\nmatching", "session/20261130T050112Z-boot"));
    String text = Files.readString(root.resolve("task-queue.md"));
    assertTrue(text.startsWith("# Task queue\n"), text);
    assertTrue(text.matches("(?s).*\n- \\[ \\] Investigate login prompt matching — `boot:no-login-prompt` "
        + "\\(from session/20261130T050112Z-boot, " + TS + "\\)\n"), text);

    assertFalse(q.register("boot:no-login-prompt", "something else", "session/later-boot"), "an open task is not duplicated");
    assertEquals(text, Files.readString(root.resolve("task-queue.md")), "and the file is untouched");

    Task t = q.tasks().get(0);
    assertEquals("boot:no-login-prompt", t.key());
    assertEquals("Investigate login prompt matching", t.text());
    assertEquals("session/20261130T050112Z-boot", t.source());
    assertTrue(t.open());
    assertTrue(t.registered().matches(TS));
    assertNull(t.resolved());

    assertTrue(q.resolve("boot:no-login-prompt", "resolved by session session/20261130T060000Z-boot (boot check passed)"));
    assertFalse(q.resolve("boot:no-login-prompt", "again"), "a done task is not resolved twice");
    assertFalse(q.resolve("boot:unknown", "x"), "no such task");
    Task done = q.tasks().get(0);
    assertEquals(Task.State.DONE, done.state());
    assertTrue(done.resolved().matches(TS));
    assertEquals("resolved by session session/20261130T060000Z-boot (boot check passed)", done.how());
    assertTrue(Files.readString(root.resolve("task-queue.md")).contains("- [x] Investigate login prompt matching"));

    assertTrue(q.register("boot:no-login-prompt", "Investigate login prompt matching", "session/20261201T010000Z-boot"),
        "a done task that recurs is reopened");
    List<Task> all = q.tasks();
    assertEquals(1, all.size(), "reopened in place, not duplicated: " + all);
    Task again = all.get(0);
    assertTrue(again.open());
    assertEquals("session/20261201T010000Z-boot", again.source());
    assertTrue(again.reopened().matches(TS + ": resolved by session session/20261130T060000Z-boot \\(boot check passed\\)"),
        again.reopened());
    assertTrue(Files.readString(root.resolve("task-queue.md")).contains("; reopened, was done "));

    // resolved again: both the earlier and the new resolution are read back
    assertTrue(q.resolve("boot:no-login-prompt", "fixed (a; done 2026-01-01T00:00:00Z: tricky)"));
    Task twice = q.tasks().get(0);
    assertEquals("fixed (a; done 2026-01-01T00:00:00Z: tricky)", twice.how());
    assertNotNull(twice.reopened());
  }

  @Test
  void keepsWhatAPersonWroteAndHonoursABoxTickedByHand() throws Exception {
    TaskQueue q = TaskQueue.open(root);
    q.register("iterate:core/zlib:no-proposal", "Look at the zlib failure", "session/20261130T010000Z-core");
    q.register("iterate:core/gcc:limit", "Raise the attempt limit or fix gcc by hand", "session/20261130T010000Z-core");
    Path f = root.resolve("task-queue.md");
    List<String> lines = new ArrayList<>(Files.readAllLines(f));
    // A person: ticks the first box, adds a note under it, an own task and a section at the end.
    int first = indexOf(lines, "`iterate:core/zlib:no-proposal`");
    lines.set(first, lines.get(first).replace("- [ ]", "- [x]"));
    lines.add(first + 1, "  note: zlib was a stale tarball, re-fetched by hand   ");
    lines.add("* [ ] ask Ana about the  mirror");
    lines.add("");
    lines.add("## Notes");
    lines.add("Nothing `here` — is a (task)");
    Files.write(f, lines);
    List<String> personal = new ArrayList<>(lines);

    List<Task> tasks = q.tasks();
    assertEquals(3, tasks.size(), tasks.toString());
    assertEquals(Task.State.DONE, tasks.get(0).state(), "a box ticked by hand is done");
    assertNull(tasks.get(0).resolved(), "without a time of ours");
    assertTrue(tasks.get(1).open());
    assertTrue(tasks.get(2).byHand());
    assertEquals("ask Ana about the  mirror", tasks.get(2).text());

    assertTrue(q.register("boot:kernel-panic", "Find why init is missing", "session/20261130T020000Z-boot"));
    List<String> after = Files.readAllLines(f);
    List<String> kept = new ArrayList<>(after);
    int added = indexOf(after, "`boot:kernel-panic`");
    kept.remove(added);
    assertEquals(personal, kept, "every other line is kept verbatim");
    assertEquals(indexOf(after, "* [ ] ask Ana") + 1, added, "a new task goes after the last task line");

    assertTrue(q.register("iterate:core/zlib:no-proposal", "Look at the zlib failure", "session/20261130T030000Z-core"));
    Task reopened = q.tasks().get(0);
    assertTrue(reopened.open());
    assertEquals("by hand", reopened.reopened());
  }

  @Test
  void concurrentWritersInThreadsAndProcessesLoseNoTask() throws Exception {
    // Two other processes (the OS lock) and two threads here (the in-JVM lock) register at once.
    List<String> cp = List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), RegisterMany.class.getName(), root.toString());
    Process p1 = new ProcessBuilder(concat(cp, "procA", "30")).inheritIO().start();
    Process p2 = new ProcessBuilder(concat(cp, "procB", "30")).inheritIO().start();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (String prefix : List.of("threadA", "threadB")) {
      fs.add(pool.submit(() -> {
        go.await();
        TaskQueue q = TaskQueue.open(root);
        for (int i = 0; i < 30; i++) assertTrue(q.register(prefix + "-" + i, "task " + i, "thread"));
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : fs) f.get(5, TimeUnit.MINUTES);
    pool.shutdown();
    assertTrue(p1.waitFor(5, TimeUnit.MINUTES) && p2.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p1.exitValue());
    assertEquals(0, p2.exitValue());

    List<Task> tasks = TaskQueue.open(root).tasks();
    Set<String> keys = new HashSet<>();
    tasks.forEach(t -> keys.add(t.key()));
    assertEquals(120, tasks.size(), "no task lost or doubled");
    assertEquals(120, keys.size());
    assertEquals(1, count(Files.readString(root.resolve("task-queue.md")), "# Task queue"), "one header");
  }

  @Test
  void refusesBadKeysAndNamesAFileThatIsNotUtf8() throws Exception {
    TaskQueue q = TaskQueue.open(root);
    assertThrows(IllegalArgumentException.class, () -> q.register("a`b", "x", "s"));
    assertThrows(IllegalArgumentException.class, () -> q.register(" ", "x", "s"));
    assertThrows(IllegalArgumentException.class, () -> q.register("a\nb", "x", "s"));
    Files.write(root.resolve("task-queue.md"), new byte[] {'-', ' ', (byte) 0xff, '\n'});
    Bq2Exception e = assertThrows(Bq2Exception.class, q::tasks);
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith(root.resolve("task-queue.md") + ":1: invalid UTF-8"), e.getMessage());
    assertEquals("- \uFFFD\n", new String(Files.readAllBytes(root.resolve("task-queue.md")), StandardCharsets.UTF_8),
        "the file is left as it was");
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return out;
  }

  private static int indexOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(part)) return i;
    throw new AssertionError(part + " not in " + lines);
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
    return n;
  }
}
