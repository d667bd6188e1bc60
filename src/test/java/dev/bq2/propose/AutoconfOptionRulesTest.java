package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoconf option families (issue 8 §4) on real minimal packages: configure.ac turned into
 * a real configure by autoconf, built by the real runner, failing, fixed by a switch the
 * package's configure offers (read from its help text), rebuilt to completion. Without the
 * switch, no change is proposed.
 */
@Timeout(240)
class AutoconfOptionRulesTest {
  @TempDir java.nio.file.Path dir;

  /** A package with an optional dependency on libbq2zstd, on by default; {@code offer} adds --without-bq2zstd. */
  static String configureAc(boolean offer, String whenOn) {
    return "AC_INIT([feat],[1.0])\nAC_PROG_CC\n"
        + (offer ? "AC_ARG_WITH([bq2zstd], [AS_HELP_STRING([--without-bq2zstd], [build without bq2zstd compression])],"
            + " [], [with_bq2zstd=yes])\n" : "with_bq2zstd=yes\n")
        + "AC_ARG_ENABLE([examples], [AS_HELP_STRING([--disable-examples], [do not build the example programs])],"
        + " [], [enable_examples=yes])\n"
        + "AS_IF([test \"x$enable_examples\" != xno], [EXAMPLES=examples/ex], [EXAMPLES=])\nAC_SUBST([EXAMPLES])\n"
        + "AS_IF([test \"x$with_bq2zstd\" != xno], [" + whenOn + "])\n"
        + "AC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n";
  }

  static final String MAKEFILE_IN = "CC = @CC@\nCFLAGS = @CFLAGS@\nCPPFLAGS = @CPPFLAGS@\nLIBS = @LIBS@\nprefix = @prefix@\n"
      + "all: prog @EXAMPLES@\n"
      + "prog: main.c\n\t$(CC) $(CPPFLAGS) $(CFLAGS) -o prog main.c $(LIBS)\n"
      + "examples/ex: examples/ex.c\n\t$(CC) $(CPPFLAGS) $(CFLAGS) -o examples/ex examples/ex.c\n"
      + "install: all\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n";

  static final String MAIN = "#ifdef HAVE_BQ2ZSTD\n#include <bq2zstd.h>\n#endif\nint main(void) { return 0; }\n";

  RealRunnerRig rig(boolean offer, String whenOn, Map<String, String> env) throws Exception {
    RealRunnerRig r = new RealRunnerRig(dir, "autotools", List.of(), env);
    r.write("configure.ac", configureAc(offer, whenOn));
    r.write("Makefile.in", MAKEFILE_IN);
    r.write("main.c", MAIN);
    r.write("examples/ex.c", "int main(void) { return 0; }\n");
    r.autoconf();
    return r;
  }

  static final String CHECK_LIB = "AC_CHECK_LIB([bq2zstd], [bq2zstd_compress], [],"
      + " [AC_MSG_ERROR([libbq2zstd is required for compressed output])])";

  @Test
  void configureErrorAboutAnOptionalLibraryUsesTheOfferedWithoutSwitch() throws Exception {
    RealRunnerRig r = rig(true, CHECK_LIB, Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("autoconf-optional-feature", o.rule(), () -> o.skipped().toString());
    // the error does not name the switch: the word libbq2zstd was matched against configure's help text
    assertFalse(o.request().diagnosis().excerpt().stream().anyMatch(l -> l.contains("--without")));
    assertEquals(List.of("--without-bq2zstd"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void configureErrorWithoutAnOfferedSwitchGetsNoChange() throws Exception {
    RealRunnerRig r = rig(false, CHECK_LIB, Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(o.proposal().isEmpty(), () -> "no switch, no change: " + o.proposal());
    assertTrue(o.skipped().stream().anyMatch(s -> s.startsWith("autoconf-optional-feature: the package offers no")),
        o.skipped().toString());
  }

  /**
   * Issue 9 item 15: build output must not steer the rules. The error text names
   * `--without-bq2zstd`, but this configure does not offer it: nothing is adopted.
   */
  @Test
  void aSwitchNamedInTheErrorButNotOfferedIsNotAdopted() throws Exception {
    RealRunnerRig r = rig(false, "AC_CHECK_LIB([bq2zstd], [bq2zstd_compress], [],"
        + " [AC_MSG_ERROR([libbq2zstd not found; use --without-bq2zstd to build without it])])", Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(o.request().diagnosis().excerpt().stream().anyMatch(l -> l.contains("--without-bq2zstd")),
        () -> o.request().diagnosis().excerpt().toString());
    assertTrue(o.proposal().isEmpty() || o.proposal().get().escalate(), () -> "adopted from the log: " + o.proposal());
  }

  @Test
  void headerOfAnOptionalDependencyMissingAtCompileTime() throws Exception {
    // configure trusts the dependency (as a leaking host pkg-config would) and the compile fails
    RealRunnerRig r = rig(true, "CPPFLAGS=\"$CPPFLAGS -DHAVE_BQ2ZSTD\"", Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("optional-header-missing", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("--without-bq2zstd"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void libraryOfAnOptionalDependencyMissingAtLinkTime() throws Exception {
    RealRunnerRig r = rig(true, "LIBS=\"$LIBS -lbq2zstd\"", Map.of());
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("optional-library-missing", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("--without-bq2zstd"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void exampleThatDoesNotBuildHereIsSwitchedOffWithThePackagesOwnSwitch() throws Exception {
    RealRunnerRig r = rig(true, "true", Map.of());
    r.write("examples/ex.c", "#include <bq2_glibc_only.h>\nint main(void) { return 0; }\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("examples-tests-switch", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("--disable-examples"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void failureInTheMainProgramIsNotBlamedOnAnOptionalPart() throws Exception {
    // a real source bug: nothing the package offers turns it off, so no change (a patch is needed)
    RealRunnerRig r = rig(true, "true", Map.of());
    r.write("main.c", "int main(void) { return undeclared_thing + ; }\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertTrue(o.proposal().isEmpty(), () -> "a source bug needs a patch, not an option: " + o.proposal());
  }

  @Test
  void missingHeaderInAnOptionalDriverIsMatchedThroughTheFailedTargetsName() throws Exception {
    // like a52dec under musl: linux/soundcard.h is missing in audio_out_oss.c, configure offers --disable-oss
    RealRunnerRig r = new RealRunnerRig(dir, "autotools", List.of(), Map.of());
    r.write("configure.ac", "AC_INIT([drv],[1.0])\nAC_PROG_CC\n"
        + "AC_ARG_ENABLE([oss], [AS_HELP_STRING([--disable-oss], [make a version not using oss])], [], [enable_oss=yes])\n"
        + "AS_IF([test \"x$enable_oss\" != xno], [DRIVERS=audio_out_oss.o; CPPFLAGS=\"$CPPFLAGS -DWITH_OSS\"], [DRIVERS=])\n"
        + "AC_SUBST([DRIVERS])\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n");
    r.write("Makefile.in", "CC = @CC@\nCFLAGS = @CFLAGS@\nCPPFLAGS = @CPPFLAGS@\nprefix = @prefix@\n"
        + "prog: main.o @DRIVERS@\n\t$(CC) $(CFLAGS) -o prog main.o @DRIVERS@\n"
        + "%.o: %.c\n\t$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@\n"
        + "install: prog\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n");
    r.write("main.c", "int main(void) { return 0; }\n");
    r.write("audio_out_oss.c", "#include <linux/bq2soundcard.h>\nint oss_open(void) { return 0; }\n");
    r.autoconf();
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("optional-header-missing", o.rule(), () -> o.skipped().toString());
    assertEquals(List.of("--disable-oss"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }

  @Test
  void handWrittenConfigureOffersStaticForAStaticBuild() throws Exception {
    // like zlib under musl-gcc -static: the program links the package's own shared library
    RealRunnerRig r = new RealRunnerRig(dir, "autotools", List.of(), Map.of("CC", "gcc -static"));
    r.write("configure", "#!/bin/sh\nshared=1\nfor a do case $a in\n  --prefix=*) prefix=${a#--prefix=};;\n"
        + "  -s* | --static) shared=0;;\n  *) echo \"unknown option: $a\"; exit 1;;\nesac; done\n"
        + "echo 'usage: configure [--prefix=PREFIX] [--static]'  >/dev/null\n"
        + "if test $shared = 1; then LIB=libcnt.so; else LIB=libcnt.a; fi\n"
        + "printf 'CC = %s\\nLIB = %s\\nprefix = %s\\n' \"${CC:-gcc}\" $LIB \"$prefix\" > Makefile\n"
        + "cat >> Makefile <<'EOF'\n"
        + "prog: main.c $(LIB)\n\t$(CC) -o prog main.c -L. $(LIB)\n"
        + "libcnt.so: cnt.c\n\tgcc -shared -fPIC -o libcnt.so cnt.c\n"
        + "libcnt.a: cnt.c\n\t$(CC) -c cnt.c && ar rcs libcnt.a cnt.o\n"
        + "install: prog\n\tmkdir -p $(DESTDIR)$(prefix)/bin && cp prog $(DESTDIR)$(prefix)/bin/\n"
        + "EOF\n");
    r.write("cnt.c", "int cnt(void) { return 0; }\n");
    r.write("main.c", "int cnt(void);\nint main(void) { return cnt(); }\n");
    RealRunnerRig.Outcome o = r.failAndPropose();
    assertEquals("static-link-of-dynamic-object", o.rule(), () -> o.skipped() + " " + o.request().diagnosis().excerpt());
    assertEquals(List.of("--static"), o.proposal().get().configureFlagsAdd());
    r.applyAndRebuild(o);
  }
}
