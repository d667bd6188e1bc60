package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.FailureClass;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PlanFiles;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each rule against a real failure: a tiny package is really built with gcc/g++/make and
 * fails, the runner stand-in writes the report and log, the rules propose a delta, the delta is
 * applied to a real overrides file, and the rebuild with the effective step must succeed.
 */
class RuleProposerRealBuildTest {
  @TempDir Path dir;

  Path pkg;
  RootfsLayout layout;

  void setUp(String strategy, String content, Map<String, String> phaseEnv, Map<String, String> stepEnv) throws Exception {
    pkg = dir.resolve("pkg");
    Files.createDirectories(pkg);
    layout = RootfsLayout.of(dir.resolve("rootfs"));
    Files.createDirectories(layout.plan().getParent());
    BuildStep step = MiniRunner.step("pkg", strategy, pkg, content, stepEnv);
    Files.writeString(layout.plan(), MiniRunner.plan("p", phaseEnv, step));
  }

  void write(String name, String text) throws Exception {
    Path f = pkg.resolve(name);
    Files.writeString(f, text);
    if (name.equals("configure") || name.equals("config.guess")) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  record Outcome(Diagnosis diagnosis, Proposal proposal, String rule) {}

  /** Build (must fail), diagnose, propose, validate, apply, rebuild (must succeed). */
  Outcome failProposeApplyRebuild(FailureClass expected) throws Exception {
    Outcome o = failAndPropose(expected);
    assertNotNull(o.proposal(), "a rule should know this failure: " + o.diagnosis().excerpt());
    new OverridesEditor(layout.overrides(), layout.overridesHistory()).apply(o.proposal(), o.diagnosis(), "rules");
    Path again = MiniRunner.runStep(layout.plan(), layout.overrides(), "p", "pkg", layout.reportDir());
    assertNull(again, () -> "rebuild with the proposal still fails: " + excerptOf(again));
    assertTrue(Files.readString(layout.plan()).contains("\"pkg\""), "plan untouched");
    return o;
  }

  Outcome failAndPropose(FailureClass expected) throws Exception {
    Path report = MiniRunner.runStep(layout.plan(), layout.overrides(), "p", "pkg", layout.reportDir());
    assertNotNull(report, "the first build must fail");
    Diagnosis d = Diagnoser.diagnose(report);
    assertEquals(expected, d.failureClass(), () -> "excerpt: " + d.excerpt());
    ProposalRequest req = ProposalRequests.build(d, ReportFiles.read(report), PlanFiles.readPlan(layout.plan()),
        PlanFiles.readOverrides(layout.overrides()), layout.overrides(), layout.overridesHistory(), null);
    RuleProposer rp = RuleProposer.withDefaults();
    Optional<Proposal> p = rp.propose(req);
    p.ifPresent(x -> assertEquals(List.of(), ProposalValidator.validate(x, req)));
    return new Outcome(d, p.orElse(null), rp.lastRule());
  }

  static String excerptOf(Path report) {
    return report == null ? "" : String.join("\n", Diagnoser.diagnose(report).excerpt());
  }

  @Test
  void multipleDefinitionUnderFnoCommonGetsFcommonOnTopOfPhaseCflags() throws Exception {
    setUp("autotools", null, Map.of("CFLAGS", "-O2"), Map.of());
    write("configure", MiniRunner.configure(false, false));
    write("main.c", "int counter;\nvoid bump(void);\nint main(void) { bump(); return counter - 1; }\n");
    write("bump.c", "int counter;\nvoid bump(void) { counter++; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.LINK);
    assertEquals("gcc10-fno-common", o.rule());
    assertEquals(Map.of("CFLAGS", "-O2 -fcommon"), o.proposal().env());
    assertEquals("pkg", o.proposal().step());
    assertTrue(o.diagnosis().excerpt().stream().anyMatch(l -> l.contains("multiple definition of")));
    // the same failure again is not proposed twice: the history knows it was tried
    assertTrue(TriedDeltas.forSignature(layout.overridesHistory(), o.diagnosis().signature()).size() == 1);
  }

  @Test
  void werrorUsesTheConfigureSwitchWhenOffered() throws Exception {
    setUp("autotools", null, Map.of("CFLAGS", "-O2 -Wall"), Map.of());
    write("configure", MiniRunner.configure(true, false) + "# --disable-werror  do not treat warnings as errors\n");
    write("main.c", "int main(void) { int unused = 1; return 0; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.COMPILE);
    assertEquals("werror-disable-flag", o.rule());
    assertEquals(List.of("--disable-werror"), o.proposal().configureFlagsAdd());
    assertTrue(o.proposal().env().isEmpty());
  }

  @Test
  void werrorFallsBackToWnoErrorWithoutTheSwitch() throws Exception {
    setUp("autotools", null, Map.of("CFLAGS", "-O2 -Wall"), Map.of());
    write("configure", MiniRunner.configure(false, false));
    write("main.c", "int main(void) { int unused = 1; return 0; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.COMPILE);
    assertEquals("werror-cflags", o.rule());
    assertEquals(Map.of("CFLAGS", "-O2 -Wall -Wno-error"), o.proposal().env());
  }

  @Test
  void implicitFunctionDeclarationIsDemotedNotTheLanguageStandard() throws Exception {
    setUp("autotools", null, Map.of(), Map.of("CFLAGS", "-g"));
    write("configure", MiniRunner.configure(false, false));
    write("main.c", "int main(void) { return helper(); }\n");
    write("helper.c", "int helper(void) { return 0; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.COMPILE);
    assertEquals("implicit-function-declaration", o.rule());
    assertEquals(Map.of("CFLAGS", "-g -Wno-error=implicit-function-declaration"), o.proposal().env());
  }

  @Test
  void missingCstdintInCxxIsForceIncluded() throws Exception {
    setUp("shell", "g++ $CXXFLAGS -c t.cpp -o t.o", Map.of(), Map.of());
    write("t.cpp", "uint32_t answer(uint32_t x) { return x + 1; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.COMPILE);
    assertEquals("cxx-missing-cstdint", o.rule());
    assertEquals(Map.of("CXXFLAGS", "-include cstdint"), o.proposal().env());
  }

  @Test
  void configureNamesTheWithoutFlag() throws Exception {
    setUp("autotools", null, Map.of(), Map.of());
    write("configure", MiniRunner.configure(false, true));
    write("main.c", "int main(void) { return 0; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.CONFIGURE);
    assertEquals("configure-disable-optional-feature", o.rule());
    assertEquals(List.of("--without-foo"), o.proposal().configureFlagsAdd());
  }

  @Test
  void missingMakeinfoAndHelp2manAreSkipped() throws Exception {
    // A PATH holding only make and true: makeinfo and help2man are missing even on a machine
    // that has them installed (the failure must be real, whatever the host carries).
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("make", "true")) {
      Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
    }
    setUp("shell", "make -j2 MAKEINFO=\"${MAKEINFO:-makeinfo}\" HELP2MAN=\"${HELP2MAN:-help2man}\"",
        Map.of("PATH", bin.toString()), Map.of());
    write("Makefile", "all: prog.info prog.1\nprog.info: prog.texi\n\t$(MAKEINFO) -o $@ prog.texi\n"
        + "prog.1:\n\t$(HELP2MAN) -o $@ ./prog\n");
    write("prog.texi", "\\input texinfo\n@bye\n");
    Outcome o = failProposeApplyRebuildOrNext();
    assertNotNull(o);
  }

  /** makeinfo fails first; after its fix help2man fails; after both the build succeeds. */
  Outcome failProposeApplyRebuildOrNext() throws Exception {
    Outcome first = failAndPropose(FailureClass.MISSING_TOOL);
    assertEquals("missing-makeinfo", first.rule(), () -> String.join("\n", first.diagnosis().excerpt()));
    assertEquals(Map.of("MAKEINFO", "true"), first.proposal().env());
    new OverridesEditor(layout.overrides(), layout.overridesHistory()).apply(first.proposal(), first.diagnosis(), "rules");
    Outcome second = failProposeApplyRebuild(FailureClass.MISSING_TOOL);
    assertEquals("missing-help2man", second.rule());
    assertEquals(Map.of("HELP2MAN", "true"), second.proposal().env());
    return second;
  }

  @Test
  void missingLibmGoesIntoLibsAfterTheObjects() throws Exception {
    setUp("autotools", null, Map.of("LIBS", "-lc"), Map.of());
    write("configure", MiniRunner.configure(false, false));
    write("main.c", "#include <math.h>\nint main(int argc, char **argv) { (void)argv; return (int)sqrt((double)argc) - 1; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.LINK);
    assertEquals("missing-libm-autotools", o.rule());
    assertEquals(Map.of("LIBS", "-lc -lm"), o.proposal().env());
  }

  @Test
  void oldConfigGuessGetsTheCompilersTriplet() throws Exception {
    setUp("autotools", null, Map.of(), Map.of());
    write("configure", MiniRunner.configure(false, false));
    write("config.guess", "#!/bin/sh\necho 'config.guess: unable to guess system type' >&2\nexit 1\n");
    write("main.c", "int main(void) { return 0; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.CONFIGURE);
    assertEquals("old-config-guess", o.rule());
    Process p = new ProcessBuilder("gcc", "-dumpmachine").start();
    String triplet = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(List.of("--build=" + triplet), o.proposal().configureFlagsAdd());
  }

  @Test
  void parallelMakeRaceIsBuiltSeriallyDespiteMinusJOnTheCommandLine() throws Exception {
    setUp("shell", "make -j2", Map.of(), Map.of());
    // gen.h is made by this Makefile, but main.o does not declare the dependency: a classic race.
    write("Makefile", "all: gen.h main.o\ngen.h:\n\tsleep 2; echo '#define ANSWER 42' > gen.h\n"
        + "main.o: main.c\n\tgcc -c main.c -o main.o\n");
    write("main.c", "#include \"gen.h\"\nint main(void) { return ANSWER - 42; }\n");
    Outcome o = failProposeApplyRebuild(FailureClass.COMPILE);
    assertEquals("parallel-make-race", o.rule());
    assertEquals(Map.of("MAKEFLAGS", "--eval=.NOTPARALLEL:"), o.proposal().env());
  }

  @Test
  void aMissingSystemHeaderIsNotMistakenForARace() throws Exception {
    setUp("shell", "make -j2", Map.of(), Map.of());
    write("Makefile", "all: main.o\nmain.o: main.c\n\tgcc -c main.c -o main.o\n");
    write("main.c", "#include <no-such-lib-header.h>\nint main(void) { return 0; }\n");
    Outcome o = failAndPropose(FailureClass.COMPILE);
    assertNull(o.proposal(), "no rule knows a missing dependency: no guess");
  }

  @Test
  void killedParallelBuildIsOutOfMemoryAndGoesSerial() throws Exception {
    setUp("shell", "make -j2", Map.of(), Map.of());
    write("Makefile", "all:\n\t@echo compiling big.c; kill -9 $$$$\n");
    Outcome o = failAndPropose(FailureClass.OUT_OF_MEMORY);
    assertEquals("oom-serial-build", o.rule());
    assertEquals(Map.of("MAKEFLAGS", "--eval=.NOTPARALLEL:"), o.proposal().env());
  }

  @Test
  void unknownCompileErrorGetsNoProposal() throws Exception {
    setUp("autotools", null, Map.of(), Map.of());
    write("configure", MiniRunner.configure(false, false));
    write("main.c", "int main(void) { return 0 }\n");
    Outcome o = failAndPropose(FailureClass.COMPILE);
    assertNull(o.proposal());
    assertNull(o.rule());
  }

  @Test
  void aTriedDeltaIsNotProposedAgainAndTheNextRuleIsTried() throws Exception {
    setUp("autotools", null, Map.of("CFLAGS", "-Wall"), Map.of());
    write("configure", MiniRunner.configure(true, false) + "# --disable-werror\n");
    write("main.c", "int main(void) { int unused = 1; return 0; }\n");
    Outcome first = failAndPropose(FailureClass.COMPILE);
    assertEquals("werror-disable-flag", first.rule());
    OverridesEditor ed = new OverridesEditor(layout.overrides(), layout.overridesHistory());
    HistoryEntry h = ed.apply(first.proposal(), first.diagnosis(), "rules");
    // pretend it did not help: record, revert, and ask again for the same signature
    ed.recordOutcome(h.id(), "same_failure");
    ed.revert(h.id());
    Outcome second = failAndPropose(FailureClass.COMPILE);
    assertEquals(first.diagnosis().signature(), second.diagnosis().signature());
    assertEquals("werror-cflags", second.rule());
  }
}
