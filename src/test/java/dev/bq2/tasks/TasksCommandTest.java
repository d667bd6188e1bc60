package dev.bq2.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.InProcessCli;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bq2 tasks`: open tasks first, then the recently done ones; `--all`, `--json`. */
class TasksCommandTest {
  @TempDir Path root;

  @Test
  void listsOpenFirstThenRecentlyDoneAndEverythingWithAll() throws Exception {
    InProcessCli.Result empty = InProcessCli.run("tasks", "--session-dir", root.toString());
    assertEquals(0, empty.exit(), empty.toString());
    assertTrue(empty.out().contains("no tasks yet"), empty.toString());

    TaskQueue q = TaskQueue.open(root);
    q.register("iterate:core/zlib:no-proposal", "Fix zlib by hand", "session/20261130T010000Z-core");
    q.register("boot:kernel-panic", "Find why init is missing \u001b]0;owned\u0007", "session/20261130T020000Z-boot");
    q.resolve("iterate:core/zlib:no-proposal", "resolved by session 20261130T030000Z-core (phase complete)");
    // A task done long ago (a line of an older queue) and one a person added and ticked.
    Files.write(root.resolve("task-queue.md"), List.of(
        "- [x] Old work — `iterate:base/m4:limit` (from session/20250101T000000Z-base, 2025-01-01T00:00:00Z; done 2025-01-02T00:00:00Z: fixed)",
        "- [x] my own chore"), java.nio.file.StandardOpenOption.APPEND);

    InProcessCli.Result r = InProcessCli.run("tasks", "--session-dir", root.toString());
    assertEquals(0, r.exit(), r.toString());
    String out = r.out();
    int open = out.indexOf("open (1):");
    int done = out.indexOf("done since ");
    assertTrue(open >= 0 && done > open, out);
    assertTrue(out.contains("  - [ ] Find why init is missing \\e]0;owned\\x07 — boot:kernel-panic (from session/20261130T020000Z-boot, "), out);
    assertTrue(out.contains("(1); 2 earlier, --all shows them:"), out);
    assertTrue(out.contains("  - [x] Fix zlib by hand — iterate:core/zlib:no-proposal (from session/20261130T010000Z-core, "), out);
    assertTrue(out.contains(": resolved by session 20261130T030000Z-core (phase complete))"), out);
    assertFalse(out.contains("Old work"), out);

    InProcessCli.Result all = InProcessCli.run("tasks", "--session-dir", root.toString(), "--all");
    assertTrue(all.out().contains("done (3):"), all.toString());
    assertTrue(all.out().contains("  - [x] Old work — iterate:base/m4:limit (from session/20250101T000000Z-base, 2025-01-01T00:00:00Z; done 2025-01-02T00:00:00Z: fixed)"), all.out());
    assertTrue(all.out().contains("  - [x] my own chore (by hand)"), all.out());

    InProcessCli.Result json = InProcessCli.run("tasks", "--session-dir", root.toString(), "--json", "--all");
    JsonNode j = Json.MAPPER.readTree(json.out());
    assertEquals(root.resolve("task-queue.md").toString(), j.get("file").asText());
    assertEquals("boot:kernel-panic", j.get("open").get(0).get("key").asText());
    assertEquals("open", j.get("open").get(0).get("state").asText());
    assertEquals(3, j.get("done").size());
    assertEquals("done", j.get("done").get(0).get("state").asText());
  }

  @Test
  void aQueueThatIsNotUtf8IsBadInput() throws Exception {
    Files.write(root.resolve("task-queue.md"), new byte[] {'-', ' ', (byte) 0xc3, '\n'});
    InProcessCli.Result r = InProcessCli.run("tasks", "--session-dir", root.toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains(root.resolve("task-queue.md") + ":1: invalid UTF-8"), r.toString());
  }
}
