package dev.bq2.diagnose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.json.Json;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.File;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogExcerptTest {
  @TempDir Path dir;

  @Test
  void decisiveLinesWithContextOldestFirst() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) lines.add("gcc -c file" + i + ".c");
    lines.add("In file included from main.c:1:");
    lines.add("main.c:3:5: error: 'x' undeclared (first use in this function)");
    lines.add("    3 |     x = 1;");
    lines.add("      |     ^");
    lines.add("make[1]: *** [Makefile:12: main.o] Error 1");
    lines.add("make: *** [Makefile:5: all] Error 2");
    Path log = dir.resolve("a.log");
    Files.write(log, lines);
    LogExcerpt ex = LogExcerpt.read(log);
    assertEquals(List.of("main.c:3:5: error: 'x' undeclared (first use in this function)",
        "make[1]: *** [Makefile:12: main.o] Error 1", "make: *** [Makefile:5: all] Error 2"), ex.decisive());
    assertEquals(List.of("gcc -c file499.c", "In file included from main.c:1:",
        "main.c:3:5: error: 'x' undeclared (first use in this function)", "    3 |     x = 1;", "      |     ^",
        "make[1]: *** [Makefile:12: main.o] Error 1", "make: *** [Makefile:5: all] Error 2"), ex.lines());
  }

  @Test
  void excerptIsCappedAndTheErrorClusterEnds() throws Exception {
    StringBuilder sb = new StringBuilder("ancient.c:1:1: error: old failure far above\n");
    for (int i = 0; i < 5000; i++) sb.append("compiling ").append(i).append('\n');
    for (int i = 0; i < 100; i++) sb.append("x").append(i).append(".c:1:1: error: e").append(i).append('\n');
    Path log = dir.resolve("b.log");
    Files.writeString(log, sb);
    LogExcerpt ex = LogExcerpt.read(log);
    assertTrue(ex.lines().size() <= LogExcerpt.MAX_LINES);
    assertEquals("x99.c:1:1: error: e99", ex.lines().get(ex.lines().size() - 1));
    assertTrue(ex.lines().stream().noneMatch(l -> l.contains("ancient")));
  }

  @Test
  void scanStopsAtTheBudget() throws Exception {
    StringBuilder sb = new StringBuilder("early.c:1:1: error: beyond the budget\n");
    for (int i = 0; i < 20000; i++) sb.append("ok line ").append(i).append('\n');
    Path log = dir.resolve("c.log");
    Files.writeString(log, sb);
    LogExcerpt small = LogExcerpt.read(log, 64 * 1024);
    assertTrue(small.decisive().isEmpty());
    assertEquals(64 * 1024, small.scannedBytes());
    assertFalse(small.lines().isEmpty(), "falls back to the last lines");
    assertEquals(1, LogExcerpt.read(log).decisive().size());
  }

  @Test
  void readsNothingBeforeTheLowerBound() throws Exception {
    String before = "make: *** No rule to make target 'distclean'.  Stop.\nRunning in /w: make -j4\n";
    StringBuilder sb = new StringBuilder(before);
    String pad = "x".repeat(90);
    // fewer lines than the cluster gap, more bytes than two 64 KiB chunks
    for (int i = 0; i < 1500; i++) sb.append("cc -c f").append(i).append(".c -DPAD=").append(pad).append('\n');
    sb.append("ld: b.o: multiple definition of `counter'; a.o: first defined here\nmake: *** [Makefile:3: prog] Error 1\n");
    Path log = dir.resolve("e.log");
    Files.writeString(log, sb);
    long from = before.getBytes(StandardCharsets.UTF_8).length;
    LogExcerpt ex = LogExcerpt.read(log, LogExcerpt.SCAN_BUDGET, from);
    assertEquals(List.of("ld: b.o: multiple definition of `counter'; a.o: first defined here",
        "make: *** [Makefile:3: prog] Error 1"), ex.decisive());
    assertEquals(Files.size(log) - from, ex.scannedBytes());
    assertEquals(3, LogExcerpt.read(log, LogExcerpt.SCAN_BUDGET, 0).decisive().size(), "the whole log has the cleanup's line");
    // only the failed command's lines, even when they are few
    Path small = dir.resolve("f.log");
    Files.writeString(small, before + "main.c:1:1: error: x\n");
    assertEquals(List.of("main.c:1:1: error: x"), LogExcerpt.read(small, LogExcerpt.SCAN_BUDGET, from).decisive());
    assertEquals(2, LogExcerpt.read(small).decisive().size());
    // an offset past the end (a replaced log) reads the whole log
    assertEquals(2, LogExcerpt.read(small, LogExcerpt.SCAN_BUDGET, Files.size(small) + 10).decisive().size());
  }

  @Test
  void firstRootReadsForwardsFromTheBoundWithCutLines() throws Exception {
    String before = "old.c:1:1: error: before the bound\n";
    String after = "x".repeat(10_000) + " error: in a cut line\n" + "a.c:1:1: warning: w\n" + "b.c:2:2: error: first\n"
        + "c.c:3:3: error: second";
    Path log = dir.resolve("g.log");
    Files.writeString(log, before + after);
    long from = before.length();
    assertEquals("b.c:2:2: error: first", LogExcerpt.firstRoot(log, from, LogExcerpt.SCAN_BUDGET));
    assertEquals("old.c:1:1: error: before the bound", LogExcerpt.firstRoot(log, 0, LogExcerpt.SCAN_BUDGET));
    assertNull(LogExcerpt.firstRoot(log, from, 100), "the budget ends the search");
    Files.writeString(log, before + "c.c:3:3: error: last line without newline");
    assertEquals("c.c:3:3: error: last line without newline", LogExcerpt.firstRoot(log, from, LogExcerpt.SCAN_BUDGET));
  }

  @Test
  void causeIsTheFirstRootLineElseTheEchoElseTheInnermostSummary() {
    assertEquals("configure: error: no zlib", LogExcerpt.cause(List.of("./configure: 3: probe: not found",
        "configure: error: no zlib")));
    assertEquals("b.c:1:1: error: x", LogExcerpt.cause(List.of("a.c:1:1: warning: unused", "make[1]: *** [M:1: b.o] Error 1",
        "b.c:1:1: error: x", "collect2: error: ld returned 1 exit status")));
    assertEquals("collect2: error: ld returned 1 exit status",
        LogExcerpt.cause(List.of("make[1]: *** [M:1: p] Error 1", "collect2: error: ld returned 1 exit status")));
    assertEquals("make[2]: *** [M:1: p] Error 1",
        LogExcerpt.cause(List.of("make[1]: Entering directory '/x'", "make[2]: *** [M:1: p] Error 1", "make: *** [M:2: all] Error 2")));
    assertNull(LogExcerpt.cause(List.of("all good")));
  }

  @Test
  void noNewlinesAndCrlfAreHandled() throws Exception {
    Path log = dir.resolve("d.log");
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(3L << 20); // 3 MiB of NUL bytes and no newline at all
      f.seek(f.length());
      f.write("\r\nld: error: final failure\r\n".getBytes(StandardCharsets.UTF_8));
    }
    LogExcerpt ex = LogExcerpt.read(log);
    assertEquals(List.of("ld: error: final failure"), ex.decisive());
    assertTrue(ex.lines().stream().allMatch(l -> l.length() <= LogExcerpt.MAX_LINE_BYTES + 1));
  }

  /**
   * A 200 MB log (sparse, then real build output at the end) diagnosed by the real CLI in a
   * child JVM with a 16 MiB heap: it can only succeed if the log is never loaded whole.
   */
  @Test
  void hugeLogInASmallHeapChildJvm() throws Exception {
    Path log = dir.resolve(ReportFiles.logName(Instant.now(), "p", "big"));
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(200L << 20);
      f.seek(f.length());
      StringBuilder tail = new StringBuilder("\n");
      for (int i = 0; i < 3000; i++) tail.append("CC obj").append(i).append(".o\n");
      tail.append("/usr/bin/ld: b.o:(.bss+0x0): multiple definition of `counter'; a.o:(.bss+0x0): first defined here\n");
      tail.append("collect2: error: ld returned 1 exit status\nmake: *** [Makefile:3: prog] Error 1\n");
      f.write(tail.toString().getBytes(StandardCharsets.UTF_8));
    }
    FailureReport r = new FailureReport(1, "x", new FailureReport.ReportPhase("p", "host", "/usr", null, Map.of()),
        new FailureReport.ReportStep("big", "autotools", dir.toString(), null, null, Map.of(), Map.of(), List.of(), List.of()),
        List.of("make", "-j8"), 2, log.toString(), "Command failed (2): make -j8", null, null, null);
    Path report = ReportFiles.write(dir, Instant.now(), r);
    String java = ProcessHandle.current().info().command().orElse("java");
    Path out = dir.resolve("out.json");
    Process p = new ProcessBuilder(java, "-Xmx16m", "-cp", System.getProperty("java.class.path"),
        "dev.bq2.cli.Bq2", "diagnose", "--report", report.toString(), "--json")
        .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
    String text = Files.readString(out);
    assertEquals(0, p.exitValue(), text);
    DiagnosisJson d = Json.MAPPER.readValue(text, DiagnosisJson.class);
    assertEquals("link", d.failureClass());
    assertTrue(d.excerpt().stream().anyMatch(l -> l.contains("multiple definition of `counter'")), text);
  }
}
