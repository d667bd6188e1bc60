package dev.bq2.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link BootCheck#run} in-process (as `iterate --boot-check` calls it), on a real QEMU/TCG boot. */
@Timeout(900)
class BootCheckTest {
  @TempDir Path tmp;

  @Test
  void kvmIsNeverTriedForAGuestOfAnotherArchitecture() {
    String host = BootCheck.hostArch();
    String other = host.equals("x86_64") ? "aarch64" : "x86_64";
    assertEquals("KVM runs only " + host + " guests on this " + host + " machine", BootCheck.kvmProblem(other));
  }

  @Test
  void aRootfsWithoutInitPanicsAndTheDiagnosisQuotesThePanicLine() throws Exception {
    // No init at all: the kernel looks for a root device instead and panics (VFS: Unable to mount root fs).
    BootOutcome o = panics(BootImages.Guest.NO_INIT);
    assertEquals("kernel-panic", o.diagnosis().kind());
  }

  @Test
  void anInitThatCannotRunIsInitNotFound() throws Exception {
    BootOutcome o = panics(BootImages.Guest.BROKEN_INIT);
    assertEquals("init-not-found", o.diagnosis().kind());
    assertTrue(o.diagnosis().lastSeen().contains("No working init found"), o.diagnosis().toString());
  }

  private BootOutcome panics(BootImages.Guest guest) throws Exception {
    Path rootfs = BootImages.rootfs(guest, tmp.resolve("tree"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BootOutcome o;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      o = BootCheck.run(BootRequest.builder().rootfs(rootfs).kernel(BootImages.kernel()).accel("tcg")
          .stageTimeout(Duration.ofMinutes(4)).overallTimeout(Duration.ofMinutes(10))
          .sessionRoot(tmp.resolve("session")).run("true").build(), out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(o.passed(), printed);
    assertEquals(1, o.exitCode());
    String serial = Files.readString(Path.of(o.sessionDir()).resolve("serial.log"), StandardCharsets.ISO_8859_1);
    String panicLine = serial.lines().filter(l -> l.contains("Kernel panic - not syncing:")).findFirst().orElseThrow(() -> new AssertionError(serial));
    String quoted = panicLine.substring(panicLine.indexOf("Kernel panic")).strip();
    assertTrue(o.diagnosis().lastSeen().contains(quoted), o.diagnosis() + " vs " + quoted);
    assertTrue(printed.contains(quoted), printed);
    assertTrue(o.stages().stream().anyMatch(s -> s.stage().equals("kernel") && s.reached()));
    assertTrue(o.stages().stream().anyMatch(s -> s.stage().equals("root-shell") && !s.reached()));
    assertEquals(o, BootOutcome.read(Path.of(o.sessionDir()).resolve(BootOutcome.FILE)));
    QemuProcesses.assertNoneLeft(Path.of(o.sessionDir()));
    return o;
  }
}
