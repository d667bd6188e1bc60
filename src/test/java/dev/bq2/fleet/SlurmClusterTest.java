package dev.bq2.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fixture's cluster runs real jobs, and the engine reads them through squeue. */
class SlurmClusterTest {
  @TempDir Path dir;

  @Test
  @Timeout(300)
  void aSubmittedJobRunsAndTheEngineSeesItEnd() throws Exception {
    SlurmCluster c = SlurmCluster.shared();
    Path script = dir.resolve("job.sh");
    Path done = dir.resolve("done");
    Files.writeString(script, "#!/bin/sh\nset -e\necho hello > '" + done + "'\n");
    SlurmEngine engine = new SlurmEngine(java.time.Duration.ofSeconds(60), c.env());
    String id = engine.submit(new JobSpec("bq2-probe", script, dir.resolve("out-%j.txt").toString(), dir, JobOptions.NONE));
    assertTrue(id.matches("[0-9]+"), id);
    JobState s = null;
    long end = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < end) {
      s = engine.states(List.of(id)).get(id);
      if (s != null && !s.live()) break;
      Thread.sleep(100);
    }
    assertEquals("COMPLETED", s.state(), String.valueOf(s));
    assertEquals("hello\n", Files.readString(done));
    assertTrue(Files.isRegularFile(dir.resolve("out-" + id + ".txt")));
    assertEquals(Map.of(), engine.states(List.of("999999")), "an unknown job is absent");
  }
}
