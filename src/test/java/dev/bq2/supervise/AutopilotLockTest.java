package dev.bq2.supervise;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One autopilot per rootfs; the cross-process case (a child JVM holding it) is in SurvivesAutopilotKillTest. */
class AutopilotLockTest {
  @TempDir Path dir;

  @Test
  void secondAcquirerFailsNamingTheHolderAndCloseReleases() {
    try (AutopilotLock lock = AutopilotLock.acquire(dir)) {
      assertNull(lock.tookOverFrom());
      LockHolder h = Json.read(dir.resolve(AutopilotLock.HOLDER), LockHolder.class, "test");
      assertEquals(ProcessHandle.current().pid(), h.pid());
      assertNotNull(h.startTime());
      assertTrue(h.alive());
      Bq2Exception e = assertThrows(Bq2Exception.class, () -> AutopilotLock.acquire(dir));
      assertEquals(2, e.exitCode());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
    assertFalse(Files.exists(dir.resolve(AutopilotLock.HOLDER)), "holder info removed on release");
    assertTrue(Files.exists(dir.resolve(AutopilotLock.LOCK)), "the lock file itself stays (same inode for everyone)");
    try (AutopilotLock again = AutopilotLock.acquire(dir)) {
      assertNull(again.tookOverFrom());
    }
  }

  @Test
  void staleLockOfADeadHolderIsTakenOver() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    AtomicFile.writeJson(dir.resolve(AutopilotLock.HOLDER), new LockHolder(p.pid(), 12345L, ProcStat.bootId(), "2026-01-01T00:00:00Z", "old"));
    try (AutopilotLock lock = AutopilotLock.acquire(dir)) {
      assertEquals(p.pid(), lock.tookOverFrom().pid());
      assertEquals(ProcessHandle.current().pid(), Json.read(dir.resolve(AutopilotLock.HOLDER), LockHolder.class, "t").pid());
    }
  }

  @Test
  void aHolderRecordOfAReusedPidIsStale() throws Exception {
    Process live = new ProcessBuilder("sleep", "30").start();
    try {
      long start = ProcStat.read(live.pid()).orElseThrow().startTime();
      LockHolder reused = new LockHolder(live.pid(), start + 1, ProcStat.bootId(), "2026-01-01T00:00:00Z", "old");
      assertFalse(reused.alive());
      AtomicFile.writeJson(dir.resolve(AutopilotLock.HOLDER), reused);
      try (AutopilotLock lock = AutopilotLock.acquire(dir)) {
        assertEquals(live.pid(), lock.tookOverFrom().pid());
      }
      // With the right start time the live process counts as the holder even without the OS lock.
      AtomicFile.writeJson(dir.resolve(AutopilotLock.HOLDER), new LockHolder(live.pid(), start, ProcStat.bootId(), "2026-01-01T00:00:00Z", "other"));
      Bq2Exception e = assertThrows(Bq2Exception.class, () -> AutopilotLock.acquire(dir));
      assertTrue(e.getMessage().contains("pid " + live.pid()), e.getMessage());
    } finally {
      live.destroyForcibly();
      live.waitFor();
    }
  }
}
