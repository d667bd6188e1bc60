package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 1: `bin/bq2 demo` run by an unprivileged user succeeds and writes nothing
 * outside its folder (no step logs in the host's /var/lib, nothing in /tmp or $HOME), and every
 * failure report's `output_log` names a log that exists under the demo's rootfs.
 *
 * <p>The real launcher runs (a temp copy of bin/bq2; a stand-in `java` swaps `-jar bq2.jar` for
 * the test class path, copied where the user can read it, keeping every launcher JVM option).
 * Tests run as root here: the demo runs as `nobody` (setpriv), a real user with a passwd entry
 * (so the JVM would make its /tmp/hsperfdata_nobody), and every file it created or changed
 * anywhere is one `find / -user 65534 -newer STAMP` away. Another run of this test at the same
 * time is told apart by the marker file at the top of its folder.
 */
class DemoUnprivilegedTest {
  @TempDir Path dir;

  static final int NOBODY = 65534;
  static final String MARKER = ".bq2-demo-unprivileged-test";

  static final String FAKE_JAVA = """
      #!/bin/sh
      # Stands in for java: runs the real JVM on the copied class path in place of the packaged
      # jar, with the launcher's own JVM options.
      opts=""
      while [ $# -gt 0 ]; do
        case $1 in
          -jar) shift 2; break ;;
          -*) opts="$opts $1"; shift ;;
          *) shift ;;
        esac
      done
      # shellcheck disable=SC2086
      exec "$BQ2_TEST_JAVA" $opts -cp "$BQ2_TEST_CP" dev.bq2.cli.Bq2 "$@"
      """;

  @Test
  @Timeout(600)
  void theDemoAsAnUnprivilegedUserWritesOnlyInsideItsFolder() throws Exception {
    boolean root = uid() == 0;
    int user = root ? NOBODY : uid();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve(MARKER), "");

    // The program and its class path, readable (not writable) by the user.
    Path proj = dir.resolve("proj");
    Files.createDirectories(proj.resolve("bin"));
    Files.createDirectories(proj.resolve("target"));
    Files.copy(Path.of("bin/bq2"), proj.resolve("bin/bq2"));
    Files.writeString(proj.resolve("target/bq2.jar"), "stands in for the packaged jar\n");
    Path fakeBin = Files.createDirectories(dir.resolve("fakebin"));
    Files.writeString(fakeBin.resolve("java"), FAKE_JAVA);
    String classPath = copyClassPath(dir.resolve("cp"));
    run(List.of("chmod", "-R", "a+rX,go-w", proj.toString(), fakeBin.toString(), dir.resolve("cp").toString()));
    run(List.of("chmod", "a+x", proj.resolve("bin/bq2").toString(), fakeBin.resolve("java").toString()));

    // The user's folder and home: all it may write.
    Path work = Files.createDirectories(dir.resolve("work"));
    Path home = Files.createDirectories(dir.resolve("home"));
    if (root) run(List.of("chown", user + ":" + user, work.toString(), home.toString()));
    Path stamp = Files.writeString(dir.resolve("stamp"), "");
    // mtimes have a clock tick's resolution: whatever the demo writes is stamped later than this
    Files.setLastModifiedTime(stamp, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 1000));

    List<String> cmd = new ArrayList<>();
    if (root) cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups"));
    cmd.addAll(List.of("env", "-i", "PATH=" + fakeBin + ":/usr/local/bin:/usr/bin:/bin", "HOME=" + home,
        "BQ2_TEST_JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"), "BQ2_TEST_CP=" + classPath,
        "sh", proj.resolve("bin/bq2").toString(), "demo", "--dir", "demo"));
    Path out = dir.resolve("demo.out");
    Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(540, TimeUnit.SECONDS), "demo did not finish");
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), output);

    Path demo = work.resolve("demo");
    Path logs = demo.resolve("rootfs/var/lib/sysroot-build-logs");
    // Every report (and every copy in the journal) names a step log that exists, under the rootfs.
    List<Path> reports = new ArrayList<>(ReportFiles.list(demo.resolve("rootfs/var/lib/sysroot-build-reports")));
    try (Stream<Path> s = Files.walk(demo.resolve("repo/session"))) {
      s.filter(f -> f.getParent().getFileName().toString().equals("reports") && f.toString().endsWith(".json"))
          .forEach(reports::add);
    }
    assertTrue(reports.size() >= 10, "the demo's five failures, reported and copied into the journals: " + reports);
    for (Path r : reports) {
      FailureReport report = ReportFiles.read(r);
      Path log = Path.of(report.outputLog());
      assertTrue(log.startsWith(logs), r + ": output_log " + log + " is not under " + logs);
      assertTrue(Files.isRegularFile(log), r + ": output_log " + log + " does not exist");
    }

    // Nothing outside the folder: $HOME stays empty, and (as root) no file anywhere is the user's
    // but the demo's own.
    try (Stream<Path> s = Files.list(home)) {
      assertEquals(List.of(), s.toList(), "files written into $HOME");
    }
    if (root) {
      List<String> strays = new ArrayList<>();
      for (String line : exec(List.of("find", "/", "/dev/shm", "-xdev", "(", "-path", "/proc", "-o", "-path", "/sys", ")",
          "-prune", "-o", "-user", String.valueOf(user), "-newer", stamp.toString(), "-print")).split("\n")) {
        if (line.isEmpty() || line.equals(home.toString())) continue;
        Path f = Path.of(line);
        if (!f.startsWith(work) && !inAnotherRun(f)) strays.add(line);
      }
      assertEquals(List.of(), strays, "files the demo's user wrote outside its folder");
    }
  }

  /** Whether {@code f} lies in the folder of another run of this test (as nobody, at the same time). */
  private boolean inAnotherRun(Path f) {
    for (Path d = f.getParent(); d != null; d = d.getParent()) {
      if (!d.equals(dir) && Files.exists(d.resolve(MARKER))) return true;
    }
    return false;
  }

  /** The test class path copied under {@code to} (the originals may sit in root's ~/.m2). */
  private static String copyClassPath(Path to) throws IOException, InterruptedException {
    Files.createDirectories(to);
    List<String> copied = new ArrayList<>();
    int i = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path from = Path.of(entry);
      if (!Files.exists(from)) continue;
      Path dest = to.resolve(i++ + "-" + from.getFileName());
      run(List.of("cp", "-R", from.toString(), dest.toString()));
      copied.add(dest.toString());
    }
    return String.join(File.pathSeparator, copied);
  }

  private static int uid() throws IOException, InterruptedException {
    return Integer.parseInt(exec(List.of("id", "-u")).strip());
  }

  /** Runs a command that must succeed. */
  private static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), cmd + ": " + out);
  }

  /** Runs a command to completion; its stdout (stderr ignored: find meets vanishing files). */
  private static String exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
