package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §4, toolchain families, each on a minimal package really built by the runner: strict
 * C standards hiding POSIX declarations, makedev/major/minor in <sys/sysmacros.h>, C++17's
 * removed exception specifications, an old config.guess, a flag the compiler rejects, and a
 * diagnostic that is only a warning.
 */
@Timeout(180)
class ToolchainRulesTest {
  @TempDir Path dir;

  static final String BUILD = "prog: main.c\n\t$(CC) $(STD) $(CFLAGS) -o prog main.c\n";

  @Test
  void strictC99HidingPosixDeclarationsGetsAFeatureMacroNotAnotherStandard() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of("CFLAGS", "-O2"));
    rig.write("Makefile", "STD = -std=c99\n" + BUILD);
    rig.write("main.c", "#include <stdio.h>\n#include <signal.h>\n#include <string.h>\n"
        + "static void on(int s) { (void)s; }\n"
        + "int main(void) {\n  struct sigaction sa;\n  memset(&sa, 0, sizeof sa);\n  sa.sa_handler = on;\n"
        + "  sigaction(SIGINT, &sa, NULL);\n  return fileno(stdin) < 0;\n}\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("strict-std-hides-posix", o.rule(), o.excerpt() + "\n" + o.skipped());
    assertEquals(Map.of("CFLAGS", "-O2 -D_DEFAULT_SOURCE"), o.proposal().env(),
        "_DEFAULT_SOURCE reveals these POSIX declarations, so the GNU-only _GNU_SOURCE is not needed");
    assertTrue(o.proposal().rationale().contains("-std=c99"), o.proposal().rationale());
    rig.applyAndRebuild(o);
    assertTrue(rig.newestStepLog().contains("-std=c99 -O2 -D_DEFAULT_SOURCE"), "the standard is kept");
  }

  @Test
  void aGnuOnlySymbolUnderAStrictStandardGetsGnuSource() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "STD = -std=c11\n" + BUILD);
    // struct ucred is declared only under _GNU_SOURCE, never under _DEFAULT_SOURCE.
    rig.write("main.c", "#include <sys/socket.h>\nint main(void) { struct ucred c; c.pid = 0; return c.pid; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("strict-std-hides-posix", o.rule(), o.excerpt() + "\n" + o.skipped());
    assertEquals(Map.of("CFLAGS", "-D_GNU_SOURCE"), o.proposal().env());
    rig.applyAndRebuild(o);
  }

  @Test
  void aProjectSymbolMissingUnderAStrictStandardIsNotBlamedOnTheStandard() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "STD = -std=c99\n" + BUILD);
    rig.write("main.c", "int main(void) { my_type_t x = 0; return x; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertNull(o.proposal(), () -> "a symbol no libc header declares needs a person: " + o.proposal());
    assertTrue(o.skipped().stream().anyMatch(s -> s.startsWith("strict-std-hides-posix: no undeclared symbol")), o.skipped().toString());
  }

  @Test
  void majorWithoutSysmacrosIsForceIncluded() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "CFLAGS ?= -O2\n" + BUILD);
    rig.write("main.c", "#include <sys/types.h>\n#include <sys/stat.h>\n"
        + "int main(void) { struct stat st; if (stat(\".\", &st)) return 2; return major(st.st_dev) > 4095 ? 1 : 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("sysmacros-makedev", o.rule(), o.excerpt() + "\n" + o.skipped());
    assertEquals(Map.of("CFLAGS", "-include sys/sysmacros.h"), o.proposal().env());
    assertEquals(Boolean.TRUE, o.proposal().cleanBuild());
    rig.applyAndRebuild(o);
  }

  @Test
  void cxx17DynamicExceptionSpecificationsGetAnOlderStandardForCxxOnly() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of("CFLAGS", "-O2", "CXXFLAGS", "-O2"), Map.of());
    rig.write("Makefile", "prog: main.cpp\n\t$(CXX) -std=c++17 $(CXXFLAGS) -o prog main.cpp\n");
    rig.write("main.cpp", "#include <stdexcept>\nvoid check(int x) throw(std::runtime_error);\n"
        + "void check(int x) throw(std::runtime_error) { if (x) throw std::runtime_error(\"x\"); }\n"
        + "int main() { check(0); return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("cxx17-dynamic-exception-spec", o.rule(), o.excerpt());
    assertEquals(Map.of("CXXFLAGS", "-O2 -std=gnu++14"), o.proposal().env(), "CFLAGS is left alone");
    rig.applyAndRebuild(o);
  }

  @Test
  void anOldConfigGuessThatCannotGuessThisMachineGetsTheBuildTriplet() throws Exception {
    String machine = RunnerRig.run(List.of("uname", "-m"), dir).trim();
    assertFalse(machine.matches("i.86|sparc"), "the old config.guess below knows only i?86 and sparc");
    RunnerRig rig = new RunnerRig(dir).plan("autotools", null, Map.of(), Map.of());
    rig.write("configure.ac", "AC_INIT([t], [1.0])\nAC_CONFIG_AUX_DIR([.])\nAC_CANONICAL_BUILD\nAC_PROG_CC\n"
        + "AC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n");
    rig.write("Makefile.in", "CC = @CC@\nCFLAGS = @CFLAGS@\nprefix = @prefix@\nall: prog\n"
        + "prog: main.c\n\t$(CC) $(CFLAGS) -o prog main.c\n"
        + "install: prog\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n");
    rig.write("main.c", "#include <stdio.h>\nint main(void) { puts(\"built\"); return 0; }\n");
    // An old config.guess in the shape of the real ones: a table of known machines, then the
    // "unable to guess system type" message and exit 1.
    rig.write("config.guess", "#!/bin/sh\n# Attempt to guess a canonical system name (an old copy).\n"
        + "UNAME_MACHINE=`(uname -m) 2>/dev/null` || UNAME_MACHINE=unknown\n"
        + "UNAME_SYSTEM=`(uname -s) 2>/dev/null` || UNAME_SYSTEM=unknown\n"
        + "case \"${UNAME_MACHINE}:${UNAME_SYSTEM}\" in\n"
        + "  i?86:Linux) echo \"${UNAME_MACHINE}-pc-linux-gnu\"; exit 0 ;;\n"
        + "  sparc:Linux) echo sparc-unknown-linux-gnu; exit 0 ;;\n"
        + "esac\n"
        + "cat >&2 <<EOF\n$0: unable to guess system type\n\nThis script, last modified 2001-09-04, has failed to recognize\n"
        + "the operating system you are using.\nEOF\nexit 1\n");
    Path configSub;
    try (var s = Files.list(Path.of("/usr/share"))) {
      configSub = s.filter(p -> p.getFileName().toString().startsWith("automake-")).map(p -> p.resolve("config.sub"))
          .filter(Files::isRegularFile).findFirst().orElseThrow(() -> new AssertionError("automake's config.sub is needed"));
    }
    rig.write("config.sub", Files.readString(configSub));
    RunnerRig.run(List.of("autoconf"), rig.pkg);
    RunnerRig.Outcome o = rig.failAndPropose();
    assertTrue(o.excerpt().contains("cannot guess build type"), o.excerpt());
    assertEquals("old-config-guess", o.rule(), o.excerpt());
    String triplet = RunnerRig.run(List.of("gcc", "-dumpmachine"), dir).trim();
    assertEquals(List.of("--build=" + triplet), o.proposal().configureFlagsAdd());
    rig.applyAndRebuild(o);
    assertEquals("built", rig.runInstalled("usr/bin/prog"));
  }

  /** A -march for the other architecture than this machine's: x86-64 gcc and aarch64 gcc word it differently. */
  static String[] foreignMarch() throws Exception {
    String t = RunnerRig.run(List.of("gcc", "-dumpmachine"), Path.of(".")).trim();
    return t.startsWith("x86_64") || t.matches("i.86.*")
        ? new String[] {"-march=armv8-a", "bad-flag-switch-value"}
        : new String[] {"-march=x86-64-v3", "bad-flag-unknown-value"};
  }

  @Test
  void aMarchForAnotherCpuIsRemovedFromTheEnvThatCarriesIt() throws Exception {
    String[] bad = foreignMarch();
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of("CFLAGS", "-O2 " + bad[0] + " -pipe"), Map.of());
    rig.write("Makefile", "CFLAGS ?= -O\n" + BUILD);
    rig.write("main.c", "int main(void) { return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals(bad[1], o.rule(), o.excerpt());
    assertEquals(Map.of("CFLAGS", "-O2 -pipe"), o.proposal().env(), "the variable's full new value, from the phase env");
    assertEquals("pkg", o.proposal().step());
    rig.applyAndRebuild(o);
  }

  @Test
  void anUnknownOptionInCxxflagsIsRemovedThere() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of("CXXFLAGS", "-O2 -fno-such-option-bq2"));
    rig.write("Makefile", "prog: main.cpp\n\t$(CXX) $(CXXFLAGS) -o prog main.cpp\n");
    rig.write("main.cpp", "int main() { return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("bad-flag-unrecognized", o.rule(), o.excerpt());
    assertEquals(Map.of("CXXFLAGS", "-O2"), o.proposal().env());
    rig.applyAndRebuild(o);
  }

  @Test
  void aBadFlagThePackageHardCodesEscalates() throws Exception {
    String[] bad = foreignMarch();
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of("CFLAGS", "-O2"), Map.of());
    rig.write("Makefile", "prog: main.c\n\t$(CC) " + bad[0] + " $(CFLAGS) -o prog main.c\n");
    rig.write("main.c", "int main(void) { return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals(bad[1], o.rule(), o.excerpt());
    assertTrue(o.proposal().escalate(), "the flag is in no env we own: " + o.proposal());
    assertTrue(o.proposal().hasNoChanges());
    assertTrue(o.proposal().rationale().contains(bad[0]), o.proposal().rationale());
  }

  @Test
  void anImplicitDeclarationThatIsOnlyAWarningGetsNoWnoError() throws Exception {
    // gnu89 allows implicit declarations (every gcc): the warning is not the failure, the link is.
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "CFLAGS ?= -std=gnu89 -Wall\n" + BUILD);
    rig.write("main.c", "int main(void) { return helper(); }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertTrue(o.excerpt().contains("warning: implicit declaration of function"), o.excerpt());
    assertNull(o.proposal(), () -> "nothing makes the diagnostic an error; the undefined helper needs a person: " + o.proposal());
    assertTrue(o.skipped().contains("implicit-function-declaration: the diagnostic is only a warning in this build"),
        o.skipped().toString());
  }

  @Test
  void anImplicitDeclarationMadeAnErrorIsDemoted() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "CFLAGS ?= -O2\nprog: main.c helper.c\n\t$(CC) -Werror=implicit-function-declaration $(CFLAGS)"
        + " -o prog main.c helper.c\n");
    rig.write("main.c", "int main(void) { return helper(); }\n").write("helper.c", "int helper(void) { return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("implicit-function-declaration", o.rule(), o.excerpt());
    assertEquals(Map.of("CFLAGS", "-Wno-error=implicit-function-declaration"), o.proposal().env());
    rig.applyAndRebuild(o);
  }

  @Test
  void aMarchThatStopsConfigureIsFoundInConfigLogAndRemoved() throws Exception {
    String[] bad = foreignMarch();
    RunnerRig rig = new RunnerRig(dir).plan("autotools", null, Map.of("CFLAGS", "-O2 " + bad[0]), Map.of());
    rig.write("configure.ac", "AC_INIT([t], [1.0])\nAC_PROG_CC\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n");
    rig.write("Makefile.in", "CC = @CC@\nCFLAGS = @CFLAGS@\nprefix = @prefix@\nall: prog\n"
        + "prog: main.c\n\t$(CC) $(CFLAGS) -o prog main.c\n"
        + "install: prog\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n");
    rig.write("main.c", "#include <stdio.h>\nint main(void) { puts(\"built\"); return 0; }\n");
    RunnerRig.run(List.of("autoconf"), rig.pkg);
    RunnerRig.Outcome o = rig.failAndPropose();
    assertTrue(o.excerpt().contains("cannot create executables"), o.excerpt());
    assertEquals(bad[1], o.rule(), o.excerpt() + "\n" + o.skipped());
    assertEquals(Map.of("CFLAGS", "-O2"), o.proposal().env());
    rig.applyAndRebuild(o);
    assertEquals("built", rig.runInstalled("usr/bin/prog"));
  }
}
