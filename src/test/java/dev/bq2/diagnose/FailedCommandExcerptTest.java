package dev.bq2.diagnose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.cli.Bq2;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 8 §1: the excerpt comes from the command that failed, never from a cleanup command whose
 * failure the strategy tolerated, and the line that caused the exit comes first. The package is the
 * issue's: a header that defines `int counter;`, a hand-written Makefile with `CFLAGS ?= -O2` and
 * no clean targets, a hand-written configure, built with real gcc/make.
 */
class FailedCommandExcerptTest {
  @TempDir Path dir;

  static void writePackage(Path src) throws Exception {
    Rig.write(src.resolve("counter.h"), "int counter;\n");
    Rig.write(src.resolve("main.c"), "#include \"counter.h\"\nvoid bump(void);\n"
        + "int main(void) { int unused_here; bump(); return counter - 1; }\n");
    Rig.write(src.resolve("bump.c"), "#include \"counter.h\"\nvoid bump(void) { counter++; }\n");
    Rig.write(src.resolve("Makefile"), "CFLAGS ?= -O2\n"
        + "prog: main.o bump.o\n\t$(CC) $(CFLAGS) -o prog main.o bump.o\n"
        + "install: prog\n\tmkdir -p $(DESTDIR)/usr/bin && cp prog $(DESTDIR)/usr/bin/\n");
    Rig.write(src.resolve("configure"), "#!/bin/sh\necho \"checking for a hand-written configure... yes\"\n");
    src.resolve("configure").toFile().setExecutable(true);
  }

  @Test
  void toleratedDistcleanIsNotTheFailureTheLinkerIs() throws Exception {
    Rig rig = new Rig(dir);
    Path src = dir.resolve("pkg");
    writePackage(src);
    Rig.Cmd[] cmds = {
      Rig.Cmd.tolerant("make", "distclean"), Rig.Cmd.tolerant("make", "clean"),
      Rig.Cmd.run("./configure", "--prefix=/usr"), Rig.Cmd.run("make", "-j4")
    };
    Path withOffset = rig.step("pkg", src, Map.of("CFLAGS", "-O2 -Wall"), true, cmds);
    FailureReport rep = ReportFiles.read(withOffset);
    String log = Files.readString(Path.of(rep.outputLog()));
    assertTrue(log.contains("No rule to make target 'distclean'"), log);
    assertNotNull(rep.outputOffset());
    assertTrue(log.substring(0, rep.outputOffset().intValue()).endsWith(": make -j4\n"),
        "the offset is where make -j4's own output begins:\n" + log);

    Diagnosis d = Rig.diagnose(withOffset);
    assertTrue(d.cause().contains("multiple definition of") && d.cause().contains("counter"), Rig.json(d));
    assertTrue(d.excerpt().stream().noneMatch(l -> l.contains("distclean") || l.contains("No rule to make target")),
        Rig.json(d));
    assertTrue(d.excerpt().stream().anyMatch(l -> l.contains("ld returned 1 exit status")), Rig.json(d));
    assertEquals(FailureClass.LINK, d.failureClass());

    // The same log read as the existing tool's reports are (no output_offset): the whole log, the
    // tolerated cleanup included: the bug of the issue, which output_offset is there to avoid.
    Path legacy = rig.step("pkg", src, Map.of("CFLAGS", "-O2 -Wall"), false, cmds);
    Diagnosis old = Rig.diagnose(legacy);
    assertTrue(old.excerpt().stream().anyMatch(l -> l.contains("No rule to make target 'distclean'")), Rig.json(old));
    assertNotEquals(d.signature(), old.signature(), "the cleanup's error is part of the legacy signature");
  }

  @Test
  void theRunnersReportPointsAtTheFailedCommandAndItsTailIsThatCommandsOutput() throws Exception {
    Path root = dir.resolve("rootfs");
    Files.createDirectories(root.resolve("var/lib"));
    Path src = dir.resolve("work/pkg");
    writePackage(src);
    // A Makefile exists before the step: an autotools step with clean_build runs make distclean first.
    String plan = "{\"format_version\": 2, \"phases\": [{\"name\": \"sysroot\", \"description\": \"d\","
        + " \"namespace\": \"host\", \"install_prefix\": \"/usr\", \"env\": {\"CFLAGS\": \"-O2\"}, \"steps\": [{"
        + "\"name\": \"pkg\", \"strategy\": \"autotools\", \"workdir\": \"" + src + "\", \"configure_flags\": [],"
        + " \"patches\": [], \"env\": {}, \"clean_build\": true}]}]}";
    RootfsLayout layout = RootfsLayout.of(root);
    Files.writeString(layout.plan(), plan);
    StringWriter out = new StringWriter();
    CommandLine cl = Bq2.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int rc = cl.execute("sysroot-runner", "--rootfs", root.toString(), "--jobs", "4", "--no-echo");
    assertEquals(1, rc, out.toString());
    Path report = ReportFiles.newest(layout.reportDir()).orElseThrow();
    FailureReport rep = ReportFiles.read(report);
    assertEquals(List.of("make", "-j4"), rep.command());
    assertNotNull(rep.outputOffset(), "the runner writes output_offset");
    String log = Files.readString(Path.of(rep.outputLog()));
    assertTrue(log.substring(0, rep.outputOffset().intValue()).endsWith(": make -j4\n"), log);
    assertTrue(rep.logTail().stream().noneMatch(l -> l.contains("distclean") || l.contains("./configure")),
        String.join("\n", rep.logTail()));
    assertTrue(rep.logTail().stream().anyMatch(l -> l.contains("multiple definition of")), String.join("\n", rep.logTail()));
    assertTrue(Files.readString(report).contains("\"output_offset\": " + rep.outputOffset()), Files.readString(report));

    Diagnosis d = Rig.diagnose(report);
    assertEquals(FailureClass.LINK, d.failureClass());
    assertTrue(d.cause().contains("multiple definition of"), Rig.json(d));
    assertTrue(d.excerpt().stream().noneMatch(l -> l.contains("No rule to make target")), Rig.json(d));
  }
}
