package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a Makefile's assignment decides where a flag goes, checked against what GNU make itself
 * does with the same Makefile: the variable's value and origin printed by a real `make` run
 * with the env value and with the MAKEFLAGS value we would write.
 */
class MakeVarsTest {
  @TempDir Path dir;

  /** `make -s -f F show` with the given env; prints `$(CFLAGS)`. */
  String makeShows(String makefile, Map<String, String> env) throws Exception {
    Files.writeString(dir.resolve("Makefile"), makefile + "\nshow:\n\t@echo '$(CFLAGS)'\n");
    ProcessBuilder pb = new ProcessBuilder("make", "-s", "show").directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().remove("MAKEFLAGS");
    pb.environment().remove("CFLAGS");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  /** Our verdict agrees with make: HARD exactly when the env value does not reach $(CFLAGS). */
  void agreesWithMake(String makefile, MakeVars.Kind expected) throws Exception {
    String viaEnv = makeShows(makefile, Map.of("CFLAGS", "-DFROM_ENV"));
    MakeVars mv = MakeVars.scan(dir, null, null);
    assertEquals(expected, mv.kind("CFLAGS"), makefile);
    if (expected == MakeVars.Kind.HARD) {
      assertFalse(viaEnv.contains("-DFROM_ENV"), "make ignores the env here: " + viaEnv);
      String base = mv.topValue("CFLAGS");
      String mf = MakeFlags.put("--eval=.NOTPARALLEL:", "CFLAGS", base + " -DADDED");
      String viaMakeflags = makeShows(makefile, Map.of("MAKEFLAGS", mf, "CFLAGS", "-DFROM_ENV"));
      assertTrue(viaMakeflags.contains("-DADDED"), "MAKEFLAGS " + mf + " must win: " + viaMakeflags);
      assertEquals(makeShows(makefile, Map.of()) + " -DADDED", viaMakeflags, "the Makefile's own value is kept");
    } else {
      assertTrue(viaEnv.contains("-DFROM_ENV"), "make takes the env here: " + viaEnv);
    }
  }

  @Test
  void plainAndImmediateAssignmentsBeatTheEnvironment() throws Exception {
    agreesWithMake("CFLAGS = -O2 -Wall", MakeVars.Kind.HARD);
    agreesWithMake("OPT = -O2\nCFLAGS := $(OPT) -g", MakeVars.Kind.HARD);
    agreesWithMake("CFLAGS = -O2 \\\n  -DMULTI='\"a b\"'\nCFLAGS += -Iinclude", MakeVars.Kind.HARD);
    agreesWithMake("export CFLAGS = -O2", MakeVars.Kind.HARD);
  }

  @Test
  void conditionalAppendAndGuardedAssignmentsLetTheEnvironmentIn() throws Exception {
    agreesWithMake("CFLAGS ?= -O2", MakeVars.Kind.SOFT);
    agreesWithMake("CFLAGS += -Wall", MakeVars.Kind.SOFT);
    agreesWithMake("ifndef CFLAGS\nCFLAGS = -O2\nendif", MakeVars.Kind.SOFT);
    agreesWithMake("ifeq ($(origin CFLAGS),undefined)\nCFLAGS = -O2\nendif", MakeVars.Kind.SOFT);
  }

  @Test
  void overrideIsReportedBecauseNothingFromOutsideBeatsIt() throws Exception {
    Files.writeString(dir.resolve("Makefile"), "override CFLAGS = -O2\n");
    assertEquals(MakeVars.Kind.OVERRIDE, MakeVars.scan(dir, null, null).kind("CFLAGS"));
  }

  @Test
  void aConfigureScriptsOutputIsJudgedByItsTemplate() throws Exception {
    Files.writeString(dir.resolve("configure"), "#!/bin/sh\n");
    Files.writeString(dir.resolve("Makefile.in"), "CFLAGS = @CFLAGS@\nLIBS = @LIBS@\n");
    Files.writeString(dir.resolve("Makefile"), "CFLAGS = -g -O2\nLIBS = \n");
    assertEquals(MakeVars.Kind.SOFT, MakeVars.scan(dir, null, null).kind("CFLAGS"));
    Files.writeString(dir.resolve("Makefile.in"), "CFLAGS = -O2\n");
    assertEquals(MakeVars.Kind.HARD, MakeVars.scan(dir, null, null).kind("CFLAGS"), "a hand-written template");
  }

  @Test
  void generatedMakefilesAndSubdirectoriesAndIncludesAreRead() throws Exception {
    Files.createDirectories(dir.resolve("build/CMakeFiles"));
    Files.writeString(dir.resolve("build/Makefile"), "# CMAKE generated file: DO NOT EDIT!\nCFLAGS = -O3\n");
    assertEquals(MakeVars.Kind.NONE, MakeVars.scan(dir, dir.resolve("build"), null).kind("CFLAGS"));
    Files.createDirectories(dir.resolve("src"));
    Files.writeString(dir.resolve("src/Makefile"), "CFLAGS = -O2\n");
    assertEquals(MakeVars.Kind.HARD, MakeVars.scan(dir, null, null).kind("CFLAGS"), "a recursive make's Makefile");
    Files.writeString(dir.resolve("config.mk"), "CFLAGS = -Os\nCFLAGS += -g\n");
    Files.writeString(dir.resolve("Makefile"), "include config.mk\nall:\n");
    assertEquals("-Os -g", MakeVars.scan(dir, null, null).topValue("CFLAGS"));
  }

  @Test
  void aToolIsFoundThroughTheVariableThatRunsItAndItsTargets() throws Exception {
    Files.writeString(dir.resolve("Makefile"), "MAKEINFO = ${SHELL} '/src/build-aux/missing' makeinfo\n"
        + "HELP2MAN = /usr/bin/help2man --no-info\nSUBDIRS = lib help2man-stuff\n"
        + "foo.info: foo.texi\n\t$(MAKEINFO) -o $@ foo.texi\n"
        + "foo.1: foo\n\t$(HELP2MAN) -o $@ ./foo\n"
        + "all: foo.info foo.1\n");
    MakeVars mv = MakeVars.scan(dir, null, null);
    assertEquals("MAKEINFO", mv.variableRunning("makeinfo"));
    assertEquals("HELP2MAN", mv.variableRunning("help2man"));
    assertNull(mv.variableRunning("texi2dvi"));
    assertEquals(List.of("foo.info"), mv.targetsUsing("MAKEINFO"));
    assertTrue(MakeVars.isDocTarget("foo.info") && MakeVars.isDocTarget("foo.1") && MakeVars.isDocTarget("%.html"));
    assertFalse(MakeVars.isDocTarget("foo.o") || MakeVars.isDocTarget("parser.c"));
  }

  @Test
  void makeflagsWordsRoundTrip() {
    String mf = MakeFlags.put("--eval=.NOTPARALLEL: CFLAGS=-O1", "CFLAGS", "-O2 $(X) -DV=\\\"1\\\"");
    assertEquals("--eval=.NOTPARALLEL: CFLAGS=-O2\\ $$(X)\\ -DV=\\\\\"1\\\\\"", mf);
    assertEquals("-O2 $(X) -DV=\\\"1\\\"", MakeFlags.get(mf, "CFLAGS"));
    assertNull(MakeFlags.get(mf, "LDFLAGS"));
  }

  @Test
  void makeflagsMayNotRedefineTheShellOfEveryRecipe() {
    List<String> why = new java.util.ArrayList<>();
    ProposalValidator.checkMakeflags("--eval=.NOTPARALLEL: CFLAGS=-O2\\ -fcommon MAKEINFO=true", why);
    assertEquals(List.of(), why);
    ProposalValidator.checkMakeflags("CFLAGS=-O2 SHELL=/tmp/x .SHELLFLAGS:=-c", why);
    assertEquals(2, why.size(), why.toString());
    assertTrue(why.get(0).contains("SHELL"), why.toString());
  }
}
