package dev.bq2.rootfs;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.cli.ContextOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The shared flags parse and reach the detector. */
class ContextOptionsTest {
  @TempDir Path fs;

  @Command(name = "probe")
  static class Probe {
    @Mixin ContextOptions context;
  }

  @Test
  void flagsReachTheDetector() throws Exception {
    Path rootfs = fs.resolve("r");
    ContextDetectorTest.plan(rootfs);
    Path repo = Files.createDirectories(fs.resolve("repo"));
    Probe p = new Probe();
    new CommandLine(p).parseArgs("--fs-root", fs.toString(), "--rootfs", rootfs.toString(), "--repo", repo.toString(),
        "--runner", "my-runner -v", "--status-command", "my-status");
    Context c = p.context.detect();
    assertEquals(rootfs, c.rootfs());
    assertEquals(fs, c.fsRoot());
    assertEquals(repo, c.repo());
    assertEquals("my-runner", c.runner().argv().get(0));
    assertEquals("my-status", c.status().argv().get(0));
  }
}
