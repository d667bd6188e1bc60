package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.json.AtomicFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 6: files we create are 0644 like the existing tool's, a file we rewrite keeps
 * the mode it had, and step logs (build output may hold secrets) stay 0600. Real files, real runs.
 */
class FileModesTest {
  @TempDir Path dir;

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void chmod(Path p, String mode) throws Exception {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  @Test
  void newFilesAre0644AndRewrittenFilesKeepTheirMode() throws Exception {
    Path f = dir.resolve("a.json");
    AtomicFile.writeJson(f, List.of("one"));
    assertEquals("rw-r--r--", mode(f));
    for (String m : new String[] {"rw-------", "rw-rw-r--", "rw-r-----", "r--r--r--"}) {
      chmod(f, m);
      AtomicFile.writeJson(f, List.of(m));
      assertEquals(m, mode(f), "rewritten over a " + m + " file");
      assertEquals(dev.bq2.json.Json.pretty(List.of(m)), Files.readString(f));
    }

    Path jsonl = dir.resolve("h.jsonl");
    AtomicFile.appendLine(jsonl, "{}");
    assertEquals("rw-r--r--", mode(jsonl));
    chmod(jsonl, "rw-rw----");
    AtomicFile.appendLine(jsonl, "{}");
    assertEquals("rw-rw----", mode(jsonl));
    assertEquals(List.of("{}", "{}"), Files.readAllLines(jsonl));
  }

  @Test
  void sessionFilesAre0644AndTheRedactedCopyOfAStepLogToo() throws Exception {
    TestRootfs fs = TestRootfs.withPlan(dir.resolve("rootfs"), "shell-two-phases.json");
    assertEquals(1, fs.runner("--phase", "host-setup").exit());
    Path stepLog = fs.logs().get(fs.logs().size() - 1);
    assertEquals("rw-------", mode(stepLog));
    dev.bq2.autopilot.Journal j = dev.bq2.autopilot.Journal.openOrContinue(dir.resolve("sessions"), "host-setup");
    j.record("note", null, "host-setup", null, "hello", null);
    Path copy = j.archive(stepLog, "logs");
    Path report = j.archive(fs.reports().get(0), "reports");
    for (Path p : List.of(j.dir().resolve("events.jsonl"), j.dir().resolve("journal.md"), copy, report)) {
      assertEquals("rw-r--r--", mode(p), p.toString());
    }
    assertEquals(Files.readString(stepLog).lines().count(), Files.readString(copy).lines().count());
  }

  @Test
  void runnerFilesAre0644ExceptStepLogsAndKeepAModeTheUserSet() throws Exception {
    TestRootfs fs = TestRootfs.withPlan(dir, "shell-two-phases.json");
    TestRootfs.Result r = fs.runner("--phase", "host-setup");
    assertEquals(1, r.exit(), r.toString()); // gamma fails: a report is written too
    assertEquals("rw-r--r--", mode(fs.layout.state()));
    assertEquals(1, fs.reports().size());
    assertEquals("rw-r--r--", mode(fs.reports().get(0)));
    assertFalse(fs.logs().isEmpty());
    for (Path log : fs.logs()) assertEquals("rw-------", mode(log), "step logs can hold secrets: " + log);

    chmod(fs.layout.state(), "rw-rw----");
    fs.writeOverrides(RunnerTest.GAMMA_FIX);
    TestRootfs.Result r2 = fs.runner("--phase", "host-setup");
    assertEquals(0, r2.exit(), r2.toString());
    assertEquals(List.of("make-dirs", "alpha", "beta", "gamma"), fs.state().progress().completedSteps().get("host-setup"));
    assertEquals("rw-rw----", mode(fs.layout.state()), "the state was rewritten and kept its mode");
  }
  @Test
  void underUmask077EveryFileTheRunnerCreatesButStepLogsIs0644() throws Exception {
    TestRootfs fs = TestRootfs.withPlan(dir, "shell-two-phases.json");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask 077; exec \"$0\" -cp \"$1\" dev.bq2.cli.Bq2 sysroot-runner --rootfs \"$2\" --phase host-setup",
        javaBin, System.getProperty("java.class.path"), fs.root.toString()).redirectErrorStream(true);
    pb.environment().remove("BQ2_ROOTFS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(1, p.waitFor(), out); // gamma fails: a report is written too
    List<Path> created;
    try (java.util.stream.Stream<Path> all = Files.walk(fs.root.resolve("var/lib"))) {
      created = all.filter(Files::isRegularFile).toList();
    }
    assertTrue(created.stream().anyMatch(f -> f.getFileName().toString().equals("sysroot-runner.lock")), created.toString());
    for (Path f : created) {
      boolean stepLog = fs.logs().contains(f);
      assertEquals(stepLog ? "rw-------" : "rw-r--r--", mode(f), f.toString());
    }
  }
}
