package dev.bq2.diagnose;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 9: a report is data anyone may have edited; its `output_log` is read only inside
 * the folders where this report's logs live, so `/etc/shadow`-like files never reach an excerpt.
 */
class ReportLogConfinementTest {
  @TempDir Path dir;

  Path report(Path log) {
    FailureReport r = new FailureReport(1, "x", new FailureReport.ReportPhase("p", "host", "/usr", null, Map.of()),
        new FailureReport.ReportStep("s", "autotools", dir.toString(), null, null, Map.of(), Map.of(), List.of(), List.of()),
        List.of("make"), 2, log.toString(), "Command failed (2): make", null, null, null);
    return ReportFiles.write(dir.resolve("var/lib/sysroot-build-reports"), Instant.now(), r);
  }

  static final String SECRET = "root:$6$saltsalt$hashhashhash: error: not for you";

  @Test
  void aLogOutsideTheLogFoldersIsNotRead() throws Exception {
    Path secret = Files.createDirectories(dir.resolve("etc")).resolve("shadow");
    Files.writeString(secret, SECRET + "\n");
    Diagnosis d = Diagnoser.diagnose(report(secret));
    assertFalse(String.join("\n", d.excerpt()).contains("hashhash"), d.excerpt().toString());

    // A symlink planted in the log folder does not lead out of it either.
    Path logs = Files.createDirectories(dir.resolve("var/lib/sysroot-build-logs"));
    Path link = Files.createSymbolicLink(logs.resolve("planted.log"), secret);
    d = Diagnoser.diagnose(report(link));
    assertFalse(String.join("\n", d.excerpt()).contains("hashhash"), d.excerpt().toString());
  }

  @Test
  void theRunnersLogFolderAndTheReportsOwnFolderAreRead() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("var/lib/sysroot-build-logs"));
    Path log = logs.resolve("step.log");
    Files.writeString(log, "cc -c a.c\na.c:1:1: error: expected ';' before '}' token\n");
    Diagnosis d = Diagnoser.diagnose(report(log));
    assertTrue(String.join("\n", d.excerpt()).contains("expected ';'"), d.excerpt().toString());

    // a custom --log-dir is allowed when the caller names it
    Path custom = Files.createDirectories(dir.resolve("elsewhere"));
    Path other = custom.resolve("step.log");
    Files.writeString(other, "cc -c b.c\nb.c:2:3: error: unknown type name 'uint'\n");
    Path rep = report(other);
    assertFalse(String.join("\n", Diagnoser.diagnose(rep).excerpt()).contains("unknown type name"));
    assertTrue(String.join("\n", Diagnoser.diagnose(rep, ReportFiles.read(rep), List.of(custom)).excerpt())
        .contains("unknown type name"));
  }
}
