package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `bq2 demo DIR` takes the folder as `git clone URL DIR` does (real child JVMs, `--write-only`). */
class DemoDirTest {
  @TempDir Path tmp;

  @Test
  @Timeout(120)
  void theFolderCanBeGivenWithoutDir() throws Exception {
    Path dir = tmp.resolve("here");
    ChildJvm demo = ChildJvm.run(tmp, tmp.resolve("positional"), Duration.ofMinutes(1), "demo", "--write-only", dir.toString());
    assertEquals(0, demo.exit(), demo.toString());
    assertTrue(Files.isRegularFile(dir.resolve("rootfs/var/lib/sysroot-build-plan.json")), demo.stdout());
    assertTrue(Files.isDirectory(dir.resolve("repo/.git")), demo.stdout());
    assertFalse(Files.exists(tmp.resolve("bq2-demo")), "not the default folder");
  }

  @Test
  @Timeout(120)
  void twoDifferentFoldersAreOneLineAndNothingWritten() throws Exception {
    ChildJvm demo = ChildJvm.run(tmp, tmp.resolve("both"), Duration.ofMinutes(1), "demo", "--write-only",
        "--dir", tmp.resolve("a").toString(), tmp.resolve("b").toString());
    assertEquals(2, demo.exit(), demo.toString());
    assertEquals(1, demo.stderr().lines().count(), demo.stderr());
    assertTrue(demo.stderr().contains("two folders given"), demo.stderr());
    assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")), "nothing written");
  }
}
