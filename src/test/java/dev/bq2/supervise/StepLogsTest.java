package dev.bq2.supervise;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.report.ReportFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step's logs are found by their names: the newest of that step, started in this run. */
class StepLogsTest {
  @TempDir Path dir;

  Path log(Path in, Instant at, String phase, String step) throws Exception {
    Files.createDirectories(in);
    return Files.writeString(in.resolve(ReportFiles.logName(at, phase, step)), step + "\n");
  }

  @Test
  void newestOfTheStepStartedInThisRunAcrossFolders() throws Exception {
    Path logs = dir.resolve("logs");
    Path reports = dir.resolve("reports");
    Instant t0 = Instant.parse("2026-11-30T01:00:00.100Z");
    Path first = log(logs, t0, "p1", "bison");
    Path second = log(reports, t0.plusSeconds(60), "p1", "bison");
    log(logs, t0.plusSeconds(120), "p1", "bison-doc"); // another step, though its name starts the same
    log(logs, t0.plusSeconds(120), "p2", "bison"); // the same step name in another phase
    Files.writeString(logs.resolve("sysroot-runner-20261130T010000Z-p1.log"), "runner\n");

    assertEquals(Optional.of(second), StepLogs.newest(List.of(logs, reports), "p1", "bison", null));
    assertEquals(Optional.of(first), StepLogs.newest(List.of(logs), "p1", "bison", t0));
    assertEquals(Optional.empty(), StepLogs.newest(List.of(logs), "p1", "bison", t0.plusMillis(1)),
        "a log from before this run started is not this run's");
    assertEquals(Optional.empty(), StepLogs.newest(List.of(dir.resolve("missing")), "p1", "bison", null));
  }

  @Test
  void closestNamesByEditDistance() {
    List<String> names = List.of("host/zlib", "host/bison", "target/bison", "target/binutils", "target/m4");
    assertEquals(List.of("host/bison", "target/bison"), StepLogs.closest("bisn", names, 2));
    assertEquals(3, StepLogs.closest("bisn", names, 3).size());
    assertEquals("target/bison", StepLogs.closest("target/bisn", names, 1).get(0));
  }
}
