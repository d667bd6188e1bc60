package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.RunOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 13, on real file systems (we are root: a tiny tmpfs, a read-only bind mount,
 * each in a mount namespace of its own via `unshare -m`, so nothing outlives the test): a disk
 * that cannot take our files is not a build failure, so the runner and iterate exit 3 naming the
 * path and the fix; and the supervisor leaves no empty `.exit.tmp` behind.
 */
class DiskFullTest {
  @TempDir Path dir;

  /** Fills the file system holding the rootfs's var/lib, as a big build does. */
  static final String FILL = "head -c 4000000 /dev/zero > \"$VARLIB/fill\" || true\necho filled";

  @Test
  @Timeout(120)
  void theRunnerOnAFullDiskExits3NamingThePathAndTheFix() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    RootfsLayout layout = Fixture.plan(rootfs, "p", Map.of("VARLIB", rootfs.resolve("var/lib").toString()),
        Fixture.Step.shell("big", FILL));
    Result r = onTinyTmpfs(layout, "sysroot-runner", "--rootfs", rootfs.toString());
    assertEquals(ExitCodes.NEEDS_PERSON, r.exit, r.toString());
    assertTrue(r.err.contains("No space left on device"), r.toString());
    assertTrue(r.err.contains(rootfs.resolve("var/lib").toString()), "names the path: " + r);
    assertTrue(r.err.contains("df -h"), "says what to do: " + r);
  }

  @Test
  @Timeout(120)
  void theRunnerOnAReadOnlyDiskExits3NamingThePathAndTheFix() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    RootfsLayout layout = Fixture.plan(rootfs, "p", Map.of(), Fixture.Step.shell("s", "echo hi"));
    Path varLib = layout.plan().getParent();
    Result r = run(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
        "set -e; mount --bind \"$1\" \"$1\"; mount -o remount,bind,ro \"$1\"; shift; exec \"$@\"", "sh", varLib.toString()),
        "sysroot-runner", "--rootfs", rootfs.toString());
    assertEquals(ExitCodes.NEEDS_PERSON, r.exit, r.toString());
    assertTrue(r.err.contains("Read-only file system"), r.toString());
    assertTrue(r.err.contains(varLib.toString()) && r.err.contains("remount"), r.toString());
  }

  @Test
  @Timeout(180)
  void iterateOnAFullDiskExits3() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    RootfsLayout layout = Fixture.plan(rootfs, "p", Map.of("VARLIB", rootfs.resolve("var/lib").toString()),
        Fixture.Step.shell("big", FILL));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    Result r = onTinyTmpfs(layout, "iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString());
    assertEquals(ExitCodes.NEEDS_PERSON, r.exit, r.toString());
    assertTrue((r.out + r.err).contains("No space left on device"), r.toString());
    assertTrue((r.out + r.err).contains("df -h"), r.toString());
  }

  @Test
  @Timeout(60)
  void theSupervisorLeavesNoEmptyExitTempFile() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", logs.toString());
    try {
      BackgroundRunner br = new BackgroundRunner(logs);
      // The runner fills the disk and exits 5: there is no room left for the exit status.
      RunOutcome o = br.start("p", List.of("sh", "-c", "head -c 1000000 /dev/zero > \"$0/fill\"; exit 5", logs.toString()),
          dir, Map.of()).awaitExit();
      try (var s = Files.list(logs)) {
        List<String> names = s.map(p -> p.getFileName().toString()).toList();
        assertTrue(names.stream().noneMatch(n -> n.endsWith(".exit.tmp")), names.toString());
      }
      assertEquals(5, o.exitCode(), "the wrapper's own exit status still tells the runner's: " + o.detail());
      assertTrue(o.detail().contains("could not be written"), o.detail());
    } finally {
      mount("-u", logs.toString());
    }
  }

  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs `bq2 ARGS` with the rootfs's var/lib on a 96 KiB tmpfs holding only the plan. */
  private Result onTinyTmpfs(RootfsLayout layout, String... args) throws Exception {
    Path planCopy = dir.resolve("plan-copy.json");
    Files.copy(layout.plan(), planCopy);
    Path varLib = layout.plan().getParent();
    return run(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
        "set -e; mount -t tmpfs -o size=96k tmpfs \"$1\"; cp \"$2\" \"$1/sysroot-build-plan.json\"; shift 2; exec \"$@\"",
        "sh", varLib.toString(), planCopy.toString()), args);
  }

  private Result run(List<String> prefix, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(150, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("bq2 did not finish: " + Files.readString(out) + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void mount(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(args[0].equals("-u") ? "umount" : "mount"));
    cmd.addAll(args[0].equals("-u") ? List.of(args).subList(1, args.length) : List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertEquals(0, p.waitFor(), "needs root (CI runs as root): " + cmd);
  }
}
