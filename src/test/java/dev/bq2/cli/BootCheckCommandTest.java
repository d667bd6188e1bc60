package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.ChildJvm;
import dev.bq2.boot.BootImages;
import dev.bq2.boot.BootOutcome;
import dev.bq2.boot.QemuProcesses;
import dev.bq2.tasks.TaskQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bq2 boot-check` as a real child process booting real busybox guests under QEMU/TCG (never
 * KVM by default: on these machines a KVM guest prints nothing). Under load a TCG boot takes far
 * longer than its ~6 s idle, so bounds are generous and nothing asserts a duration except
 * "well under the overall timeout". Every case checks that no QEMU of its run is left.
 */
@Timeout(900)
class BootCheckCommandTest {
  private static final Duration CHILD = Duration.ofMinutes(12);

  @TempDir Path tmp;

  private ChildJvm bq2(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("boot-check", "--session-dir", tmp.resolve("session").toString()));
    all.addAll(List.of(args));
    return ChildJvm.run(tmp, tmp.resolve("bq2-" + System.nanoTime()), CHILD, all.toArray(String[]::new));
  }

  private Path onlySession() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("session"))) {
      List<Path> dirs = s.filter(p -> p.getFileName().toString().endsWith("-boot")).toList();
      assertEquals(1, dirs.size(), dirs.toString());
      return dirs.get(0);
    }
  }

  private static void assertNoQemuLeft(Path session) throws IOException {
    QemuProcesses.assertNoneLeft(session);
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aColouredShellThatQueriesTheCursorIsMatchedAndASmokeCommandPasses() throws Exception {
    Path kernel = BootImages.kernel();
    Path initrd = BootImages.initramfs(BootImages.Guest.COLOURED_SHELL, tmp.resolve("img"));
    // A follow-up an earlier failed check queued: a pass ticks it off.
    TaskQueue.open(tmp.resolve("session")).register("boot:no-serial-output", "earlier: no serial output", "session/earlier-boot");
    // --accel auto: KVM is tried only when /dev/kvm opens and must print within 10 s, else TCG.
    ChildJvm c = bq2("--kernel", kernel.toString(), "--initrd", initrd.toString(), "--accel", "auto",
        "--run", "uname -r", "--run", "echo two lines; echo second");
    Path session = onlySession();
    assertNoQemuLeft(session);
    assertEquals(0, c.exit(), c.toString());
    assertTrue(c.stdout().contains("added console=ttyS0,115200"), c.stdout());
    assertTrue(c.stdout().contains("PASSED: root shell reached; 2/2 smoke commands passed"), c.stdout());

    BootOutcome o = BootOutcome.read(session.resolve("boot-outcome.json"));
    assertTrue(o.passed());
    assertNull(o.diagnosis());
    assertNotNull(o.accelReason());
    assertEquals(List.of("image", "first-byte", "kernel", "init", "root-shell"), o.stages().stream().map(BootOutcome.Stage::stage).toList());
    assertTrue(o.stages().stream().allMatch(s -> s.reached() && s.seconds() != null && s.seconds() >= 0), o.stages().toString());
    // The smoke output is what the guest's kernel says of itself in its first console line.
    String serial = read(session.resolve("serial.log"));
    Matcher version = Pattern.compile("Linux version (\\S+)").matcher(serial);
    assertTrue(version.find(), serial);
    assertEquals(version.group(1), o.smoke().get(0).output());
    assertEquals(0, o.smoke().get(0).exitCode());
    assertEquals("two lines\nsecond", o.smoke().get(1).output());
    // Raw bytes in serial.log: the colours and the cursor query the matcher saw through.
    assertTrue(serial.contains("\u001b[1;32m"), "coloured prompt kept raw");
    assertTrue(serial.contains("\u001b[6n"), "cursor query kept raw");
    String transcript = read(session.resolve("transcript.log"));
    assertTrue(transcript.contains("send uname -r"), transcript);
    assertTrue(transcript.contains(":42:0:END"), transcript);
    String command = read(session.resolve("qemu-command.txt"));
    assertTrue(command.contains("-serial stdio") && command.contains("-accel " + o.accel()), command);
    assertEquals(o.qemuCommand().get(0), command.lines().reduce((a, b) -> b).orElseThrow().split(" ")[0]);
    String journal = read(session.resolve("journal.md"));
    for (String h : List.of("## Summary", "## Detailed Timeline", "## Current Hypotheses & Questions", "## Next Actions (Queued)", "## Lessons")) {
      assertTrue(journal.contains(h), h + " in\n" + journal);
    }
    assertTrue(journal.contains("root-shell reached in"), journal);
    assertTrue(o.started().endsWith("Z") && o.ended().endsWith("Z"), o.started() + " " + o.ended());
    assertEquals(List.of(), TaskQueue.open(tmp.resolve("session")).open("boot:"), "the pass resolved the boot task");
    assertTrue(c.stdout().contains("1 boot task resolved"), c.stdout());
  }

  @Test
  void gettyLoginAsAUserThenSuReachesUidZeroOnAQcow2Image() throws Exception {
    Path image = BootImages.qcow2DiskImage(BootImages.Guest.GETTY_LOGIN, tmp.resolve("img"));
    Path userPw = Files.writeString(tmp.resolve("user.pw"), BootImages.USER_PASSWORD + "\n");
    Path rootPw = Files.writeString(tmp.resolve("root.pw"), BootImages.ROOT_PASSWORD + "\n");
    ChildJvm c = bq2("--image", image.toString(), "--accel", "tcg",
        "--login", BootImages.USER, "--password-file", userPw.toString(),
        "--become", "su -", "--become-password-file", rootPw.toString(), "--run", "id -un");
    Path session = onlySession();
    assertNoQemuLeft(session);
    assertEquals(0, c.exit(), c.toString());
    assertTrue(c.stdout().contains("shell is uid " + BootImages.USER_UID + "; escalating with `su -`"), c.stdout());
    BootOutcome o = BootOutcome.read(session.resolve("boot-outcome.json"));
    assertEquals("root", o.smoke().get(0).output());
    assertTrue(o.stages().stream().anyMatch(s -> s.stage().equals("login-prompt") && s.reached()), o.stages().toString());
    assertTrue(String.join(" ", o.qemuCommand()).contains(",format=qcow2"), o.qemuCommand().toString());
    String transcript = read(session.resolve("transcript.log"));
    assertFalse(transcript.contains(BootImages.USER_PASSWORD) || transcript.contains(BootImages.ROOT_PASSWORD), "passwords stay out of the transcript");
  }

  @Test
  void aWrongRootPasswordIsEscalationRefusedOnARootfsTree() throws Exception {
    Path kernel = BootImages.kernel();
    Path rootfs = BootImages.rootfs(BootImages.Guest.GETTY_LOGIN, tmp.resolve("tree"));
    Path userPw = Files.writeString(tmp.resolve("user.pw"), BootImages.USER_PASSWORD + "\n");
    Path wrong = Files.writeString(tmp.resolve("wrong.pw"), "not-" + BootImages.ROOT_PASSWORD + "\n");
    ChildJvm c = bq2("--rootfs", rootfs.toString(), "--kernel", kernel.toString(), "--accel", "tcg",
        "--login", BootImages.USER, "--password-file", userPw.toString(),
        "--become", "su -", "--become-password-file", wrong.toString(), "--run", "true");
    Path session = onlySession();
    assertNoQemuLeft(session);
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.stdout().contains("escalation refused"), c.stdout());
    BootOutcome o = BootOutcome.read(session.resolve("boot-outcome.json"));
    assertEquals("escalation-refused", o.diagnosis().kind());
    assertTrue(o.smoke().isEmpty(), "no smoke command runs without root");
    // the tree was packed into the session and booted to the user's shell
    assertTrue(Files.size(session.resolve("initramfs.cpio")) > 0);
    assertTrue(o.stages().stream().anyMatch(s -> s.stage().equals("login-prompt") && s.reached()), o.stages().toString());
    assertTrue(read(session.resolve("journal.md")).contains("**escalation-refused**"));
  }

  @Test
  void noSerialConsoleIsDiagnosedWellUnderTheOverallTimeout() throws Exception {
    Path kernel = BootImages.kernel();
    Path initrd = BootImages.initramfs(BootImages.Guest.COLOURED_SHELL, tmp.resolve("img"));
    long t0 = System.nanoTime();
    ChildJvm c = bq2("--kernel", kernel.toString(), "--initrd", initrd.toString(), "--accel", "tcg",
        "--append", "quiet", "--no-console-arg", "--timeout", "20s", "--overall-timeout", "10m");
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    Path session = onlySession();
    assertNoQemuLeft(session);
    assertEquals(1, c.exit(), c.toString());
    assertTrue(c.stdout().contains("no-serial-output"), c.stdout());
    assertTrue(c.stdout().contains("fix: drop --no-console-arg, or add console=ttyS0,115200 to --append"), c.stdout());
    assertTrue(took.compareTo(Duration.ofMinutes(10)) < 0, "took " + took);
    BootOutcome o = BootOutcome.read(session.resolve("boot-outcome.json"));
    assertEquals("no-serial-output", o.diagnosis().kind());
    assertFalse(String.join(" ", o.qemuCommand()).contains("console="), o.qemuCommand().toString());
    assertEquals(0, Files.size(session.resolve("serial.log")));
    assertEquals(List.of("boot:no-serial-output"),
        TaskQueue.open(tmp.resolve("session")).open("boot:").stream().map(t -> t.key()).toList());
  }

  @Test
  void killedMidBootOfARawImageTheArtifactsAreThereAndQemuDiesWithUs() throws Exception {
    Path image = BootImages.rawDiskImage(BootImages.Guest.COLOURED_SHELL, tmp.resolve("img"));
    ChildJvm c = ChildJvm.start(tmp, tmp.resolve("killed"), "boot-check", "--session-dir", tmp.resolve("session").toString(),
        "--image", image.toString(), "--accel", "tcg", "--run", "uname -r");
    ChildJvm.await("the kernel's first line", CHILD, () -> c.stdout().contains("kernel reached") || !c.process.isAlive());
    assertTrue(c.process.isAlive(), c.toString());
    Matcher pid = Pattern.compile("QEMU started \\(accel tcg, pid (\\d+)\\)").matcher(c.stdout());
    assertTrue(pid.find(), c.stdout());
    ProcessHandle qemu = ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
    c.process.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
    c.process.waitFor();
    // The orphan guard sees our pipe close and kills QEMU's group.
    try {
      qemu.onExit().get(2, java.util.concurrent.TimeUnit.MINUTES);
    } catch (java.util.concurrent.TimeoutException e) {
      qemu.destroyForcibly(); // ours to clean up: the test started it
      throw new AssertionError("QEMU (pid " + qemu.pid() + ") outlived the killed bq2");
    }
    Path session = onlySession();
    assertNoQemuLeft(session);
    assertTrue(read(session.resolve("serial.log")).contains("Linux version"), "serial.log streamed before the kill");
    assertTrue(read(session.resolve("transcript.log")).contains("first serial byte"));
    String command = read(session.resolve("qemu-command.txt"));
    assertTrue(command.contains("-name bq2-boot-" + session.getFileName()) && command.contains(",format=raw"), command);
    assertTrue(read(session.resolve("journal.md")).contains("kernel reached in"));
    assertFalse(Files.exists(session.resolve("boot-outcome.json")), "no outcome: the check never ended");
  }

  @Test
  void badInputNamesTheOptionAndMissingQemuSaysWhatToInstall() throws Exception {
    ChildJvm both = bq2("--image", "/etc/hostname", "--kernel", "/etc/hostname");
    assertEquals(2, both.exit(), both.toString());
    assertTrue(both.stderr().contains("--image boots the disk's own loader"), both.toString());
    ChildJvm missing = bq2("--kernel", tmp.resolve("nope").toString(), "--initrd", "/etc/hostname");
    assertEquals(2, missing.exit(), missing.toString());
    assertTrue(missing.stderr().contains("--kernel " + tmp.resolve("nope")), missing.toString());
    ChildJvm badTimeout = bq2("--kernel", "/etc/hostname", "--initrd", "/etc/hostname", "--timeout", "soon");
    assertEquals(2, badTimeout.exit(), badTimeout.toString());
    // No aarch64 QEMU on PATH: exit 3 naming the package (a PATH without it, as on a fresh machine).
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2",
        "boot-check", "--session-dir", tmp.resolve("session").toString(), "--arch", "aarch64",
        "--kernel", "/etc/hostname", "--initrd", "/etc/hostname"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":/nonexistent");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(3, p.waitFor(), out);
    assertTrue(out.contains("apt-get install qemu-system-arm"), out);
  }
}
