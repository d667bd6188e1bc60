package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross builds (issue 8 §4) with the Debian aarch64 cross toolchain on an x86_64 build
 * machine, through the real runner: a configure run-test that cannot run is answered with the
 * cache variable the configure script itself uses for it; a target binary run during the
 * build is skipped with the package's own switch, else the rules escalate with no change.
 */
@Timeout(240)
class CrossOptionRulesTest {
  @TempDir java.nio.file.Path dir;

  static final String HOST = "--host=aarch64-linux-gnu";

  RealRunnerRig rig(String configureAcBody, String makefileIn) throws Exception {
    RealRunnerRig r = new RealRunnerRig(dir, "autotools", List.of(HOST), Map.of());
    r.write("configure.ac", "AC_INIT([x],[1.0])\nAC_PROG_CC\n" + configureAcBody + "AC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n");
    // -ffile-prefix-map: the debug info would otherwise carry the random temp folder, and a target
    // binary that /bin/sh reads as a script (below) then fails or, about once in 300 folders,
    // exits 0 depending on those bytes (seen in CI); with the map its bytes are the same each run
    r.write("Makefile.in", "CC = @CC@\nCFLAGS = @CFLAGS@ -ffile-prefix-map=$(CURDIR)=.\nprefix = @prefix@\n" + makefileIn
        + "install: all\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n");
    r.write("main.c", "int main(void) { return 0; }\n");
    r.autoconf();
    return r;
  }

  @Test
  void runTestThatCannotRunIsAnsweredWithTheChecksOwnCacheVariable() throws Exception {
    RealRunnerRig r = rig("AC_CACHE_CHECK([whether snprintf is C99], [bq2_cv_func_snprintf_c99],\n"
        + "  [AC_RUN_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]], [[char b[2]; return snprintf(b, 2, \"abc\") != 3;]])],\n"
        + "    [bq2_cv_func_snprintf_c99=yes], [bq2_cv_func_snprintf_c99=no])])\n",
        "all: prog\nprog: main.c\n\t$(CC) $(CFLAGS) -o prog main.c\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    Evidence ev = EvidenceCollector.collect(o.request());
    assertTrue(ev.toolchain().cross(), ev.toString());
    assertTrue(ev.configLog().stream().anyMatch(l -> l.contains("checking whether snprintf is C99")), ev.configLog().toString());
    assertEquals("cross-run-test-cache-variable", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("bq2_cv_func_snprintf_c99=yes"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void targetBinaryRunDuringTheBuildIsSkippedWithThePackagesSwitch() throws Exception {
    RealRunnerRig r = rig("AC_ARG_ENABLE([tests], [AS_HELP_STRING([--disable-tests], [do not build and run the tests])],"
        + " [], [enable_tests=yes])\nAS_IF([test \"x$enable_tests\" != xno], [TESTS=tests/ran], [TESTS=])\nAC_SUBST([TESTS])\n",
        "all: prog @TESTS@\nprog: main.c\n\t$(CC) $(CFLAGS) -o prog main.c\n"
            + "tests/ran: tests/t.c\n\t$(CC) $(CFLAGS) -o tests/t tests/t.c\n\t./tests/t\n\ttouch tests/ran\n");
    r.write("tests/t.c", "int main(void) { return 0; }\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    // make execs the ELF itself; on ENOEXEC it hands the file to /bin/sh, which reads it as a script
    // (what dash then says, and on which line, depends on the binary's bytes: a syntax error of
    // some kind, or a line "not found")
    assertTrue(o.request().diagnosis().excerpt().stream().anyMatch(l -> l.contains("Exec format error")
        || l.contains("cannot execute binary file") || l.matches(".*tests/t: \\d+: (?:Syntax error|.*not found|cannot open).*")),
        () -> o.request().diagnosis().excerpt().toString());
    assertTrue(List.of("cross-exec-skip-or-escalate", "cross-exec-elf-read-as-script").contains(o.rule()),
        () -> o.rule() + " " + o.skipped());
    assertEquals(List.of("--disable-tests"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void targetBinaryRunDuringTheBuildWithoutASwitchEscalatesWithNoChange() throws Exception {
    RealRunnerRig r = rig("", "all: prog\nprog: main.c table.h\n\t$(CC) $(CFLAGS) -o prog main.c\n"
        + "table.h: gen.c\n\t$(CC) $(CFLAGS) -o gen gen.c\n\t./gen > table.h\n");
    r.write("gen.c", "int main(void) { return 0; }\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(List.of("cross-exec-skip-or-escalate", "cross-exec-elf-read-as-script").contains(o.rule()),
        () -> o.rule() + " " + o.skipped() + " " + o.request().diagnosis().excerpt());
    Proposal p = o.proposal().orElseThrow();
    assertTrue(p.escalate());
    assertTrue(p.hasNoChanges(), p.summary());
    assertTrue(p.rationale().contains("offers no switch"), p.rationale());
  }
}
