package dev.bq2.json;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed with SIGKILL at arbitrary moments never leaves a truncated target: readers
 * (during the writes and after the kill) always parse a complete document.
 */
class AtomicFileKillTest {
  @TempDir Path dir;
  Process child;

  @AfterEach
  void reap() {
    if (child != null && child.isAlive()) child.destroyForcibly();
  }

  @Test
  void killedWriterNeverLeavesATruncatedFile() throws Exception {
    Path target = dir.resolve("state.json");
    long lastIteration = -1;
    for (int round = 0; round < 3; round++) {
      child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), AtomicWriterMain.class.getName(), target.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("child.out").toFile()).start();
      // Let the child complete a few more writes (a different number each round), reading as it goes.
      long wanted = lastIteration + 2 + round;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (lastIteration < wanted) {
        assertTrue(child.isAlive(), "writer died: " + Files.readString(dir.resolve("child.out")));
        assertTrue(System.nanoTime() < deadline, "writer made no progress");
        if (Files.exists(target)) lastIteration = parse(target).get("iteration").asLong();
      }
      child.destroyForcibly(); // SIGKILL, mid-write more often than not: writing dominates the loop
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      JsonNode after = parse(target);
      assertEquals("complete", after.get("end").asText());
      assertEquals(10_000, after.get("payload").size());
      assertTrue(after.get("iteration").asLong() >= lastIteration);
      lastIteration = after.get("iteration").asLong();
    }
  }

  private static JsonNode parse(Path p) throws Exception {
    String text = Files.readString(p);
    JsonNode n = Json.tree(p, text, "the target must always be complete JSON");
    assertEquals("complete", n.get("end").asText(), "truncated or torn document");
    return n;
  }
}
