package dev.bq2.diagnose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same real gcc failure in two different temp trees gets one signature; another failure does not. */
class SignatureTest {
  @TempDir Path dir;

  Diagnosis compileAndDiagnose(Path root, String source, String job) throws Exception {
    Path src = root.resolve("work/" + root.getFileName() + "-src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("main.c"), source);
    Path reports = root.resolve("reports");
    Files.createDirectories(reports);
    Path log = reports.resolve(ReportFiles.logName(Instant.now(), "p", "s"));
    List<String> argv = List.of("gcc", job, "-Werror", "-Wall", "-c", src.resolve("main.c").toString(), "-o", src.resolve("main.o").toString());
    Process p = new ProcessBuilder(argv).directory(src.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    int exit = p.waitFor();
    assertNotEquals(0, exit);
    FailureReport r = new FailureReport(1, "x", new FailureReport.ReportPhase("p", "host", "/usr", null, Map.of()),
        new FailureReport.ReportStep("s", "autotools", src.toString(), null, null, Map.of(), Map.of(), List.of(), List.of()),
        argv, exit, log.toString(), "Command failed (" + exit + "): " + String.join(" ", argv), null, null, null);
    return Diagnoser.diagnose(ReportFiles.write(reports, Instant.now(), r));
  }

  @Test
  void stableAcrossTempDirsAndJobCounts() throws Exception {
    String src = "\n\nint main(void) { int unused = 1; return 0; }\n";
    Diagnosis a = compileAndDiagnose(Files.createDirectories(dir.resolve("run-a1b2c3")), src, "-O2");
    Diagnosis b = compileAndDiagnose(Files.createDirectories(dir.resolve("other/tmp.XyZ987")), "\n" + src, "-O2");
    assertNotEquals(a.excerpt(), b.excerpt(), "paths and line numbers differ in the raw text");
    assertEquals(a.signature(), b.signature());
    Diagnosis c = compileAndDiagnose(Files.createDirectories(dir.resolve("run-c")), "int main(void) { return y; }\n", "-O2");
    assertNotEquals(a.signature(), c.signature());
  }

  @Test
  void normalisationStripsVolatileParts() {
    assertEquals("main.c:*: error: x", Signature.normalise("/tmp/junit123/pkg/src/main.c:12:7: error: x"));
    assertEquals("ld: cc*.o: in function 'main':", Signature.normalise("/usr/bin/ld: /tmp/ccAb12Cd.o: in function `main':"));
    assertEquals("<time> at 0x* make -j*", Signature.normalise("2026-02-23T14:41:25.685363Z at 0x7ffe12 make -j48"));
    // The runner's own "Finished in" lines enter the excerpt when no compiler line matched.
    assertEquals("Finished in <duration> (exit=127): sh", Signature.normalise("Finished in 0.039s (exit=127): /bin/sh"));
    assertEquals("Completed phase p in <duration>", Signature.normalise("Completed phase p in 323.2ms"));
    assertEquals("-O2 x86_64s 3rd", Signature.normalise("-O2 x86_64s 3rd"));
  }
}
