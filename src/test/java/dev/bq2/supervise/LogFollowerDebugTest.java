package dev.bq2.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 item 10: DEBUG lines of the runner log (a tolerated cleanup) stay in the file, off the screen. */
@Timeout(60)
class LogFollowerDebugTest {
  @TempDir Path dir;

  @Test
  void debugLinesAreNotShown() throws Exception {
    String script = String.join("\n",
        "echo '2026-02-23T14:41:25.000001Z   INFO - Building m4 in /workspace/m4 (phase=p1)'",
        "echo '2026-02-23T14:41:25.000002Z  DEBUG - Finished in 0.010s (exit=2): make distclean (tolerated)'",
        "echo '2026-02-23T14:41:25.000003Z   INFO - Finished m4'");
    SupervisedRun run = new BackgroundRunner(dir).start("p1", List.of("sh", "-c", script), dir, Map.of());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LogFollower f = new LogFollower(run.log(), 0, new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
        Instant.parse(run.record().startedAt()));
    assertEquals(0, f.follow(run).exitCode());
    String shown = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(Files.readString(run.log()).contains("make distclean (tolerated)"), "the file has it");
    assertFalse(shown.contains("distclean"), shown);
    assertTrue(shown.contains("Building m4") && shown.contains("Finished m4"), shown);
  }
}
