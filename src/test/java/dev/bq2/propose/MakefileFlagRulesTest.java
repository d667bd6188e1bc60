package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §4, flags and Makefiles: a flag a rule adds reaches a hand-written Makefile that
 * assigns the variable itself, and a Makefile variable that runs a missing tool is set so it
 * wins. Each package is really built by the runner, fails, gets the rules' delta, and rebuilds.
 */
@Timeout(180)
class MakefileFlagRulesTest {
  @TempDir Path dir;

  static final String COUNTER_H = "int counter;\nvoid bump(void);\n";
  static final String MAIN_C = "#include <stdio.h>\n#include \"counter.h\"\n"
      + "int main(void) { bump(); printf(\"counter %d\\n\", counter); return counter - 1; }\n";
  static final String BUMP_C = "#include \"counter.h\"\nvoid bump(void) { counter++; }\n";
  static final String INSTALL = "install: prog\n\tmkdir -p $(DESTDIR)/usr/bin && cp prog $(DESTDIR)/usr/bin/\n";

  @Test
  void fcommonReachesAMakefileThatAssignsCflagsItselfThroughMakeflags() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("makefile-classic", null, Map.of("CFLAGS", "-O1 -pipe"), Map.of());
    // CFLAGS = ... (not ?=): make ignores the environment's CFLAGS; $(OPT) must survive MAKEFLAGS.
    rig.write("Makefile.bq2", "OPT = -O2\nCFLAGS = $(OPT) -Wall\n"
        + "prog: main.c bump.c counter.h\n\t$(CC) $(CFLAGS) -o prog main.c bump.c\n" + INSTALL);
    rig.write("counter.h", COUNTER_H).write("main.c", MAIN_C).write("bump.c", BUMP_C);
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("gcc10-fno-common", o.rule(), o.excerpt());
    assertEquals(Map.of("MAKEFLAGS", "CFLAGS=$$(OPT)\\ -Wall\\ -fcommon"), o.proposal().env(),
        "the Makefile's own value plus the flag, as a command-line variable; the ignored env CFLAGS is left alone");
    rig.applyAndRebuild(o);
    assertTrue(rig.newestStepLog().contains(" -O2 -Wall -fcommon -o prog"), rig.newestStepLog());
    assertEquals("counter 1", rig.runInstalled("usr/bin/prog"));
  }

  @Test
  void aMakefileThatTakesCflagsFromTheEnvironmentGetsThePlainEnvValue() throws Exception {
    // The package: CFLAGS ?= -O2, no clean targets.
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make -j2 && mkdir -p \"$DEST/usr/bin\" && cp prog \"$DEST/usr/bin/\"",
        Map.of("DEST", dir.resolve("rootfs").toString()), Map.of());
    rig.write("Makefile", "CFLAGS ?= -O2\nprog: main.o bump.o\n\t$(CC) $(CFLAGS) -o prog main.o bump.o\n");
    rig.write("counter.h", COUNTER_H).write("main.c", MAIN_C).write("bump.c", BUMP_C);
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("gcc10-fno-common", o.rule(), o.excerpt());
    assertEquals(Map.of("CFLAGS", "-fcommon"), o.proposal().env(), "?= lets the environment win: no MAKEFLAGS needed");
  }

  @Test
  void compileLinesLackingTheEnvFlagsAreEvidenceTheMakefileIgnoresThem() throws Exception {
    // A Makefile under a name we do not scan (make -f Makefile.unix): only the log shows that the
    // phase's CFLAGS never reached the compiler, so -Wno-error must go in as a command-line variable.
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make -f Makefile.unix", Map.of("CFLAGS", "-O2 -g"), Map.of());
    rig.write("Makefile.unix", "CFLAGS = -O -Wall -Werror\nall: prog\nprog: main.o\n\t$(CC) $(CFLAGS) -o prog main.o\n"
        + "main.o: main.c\n\t$(CC) $(CFLAGS) -c main.c\n");
    rig.write("main.c", "int main(void) { int unused = 1; return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("werror-cflags", o.rule(), o.excerpt());
    assertEquals(Map.of("MAKEFLAGS", "CFLAGS=-O2\\ -g\\ -Wno-error"), o.proposal().env());
    rig.applyAndRebuild(o);
    assertTrue(rig.newestStepLog().contains("-O2 -g -Wno-error -c main.c"), rig.newestStepLog());
  }

  @Test
  void aSecondFlagJoinsTheFirstInMakeflagsInsteadOfReplacingIt() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "CFLAGS := -O2 -Wall -Werror\nprog: main.c bump.c\n\t$(CC) $(CFLAGS) -o prog main.c bump.c\n");
    rig.write("counter.h", COUNTER_H).write("bump.c", BUMP_C)
        .write("main.c", "#include \"counter.h\"\nint main(void) { int unused; bump(); return counter - 1; }\n");
    RunnerRig.Outcome first = rig.failAndPropose();
    assertEquals("werror-cflags", first.rule(), first.excerpt());
    assertEquals(Map.of("MAKEFLAGS", "CFLAGS=-O2\\ -Wall\\ -Werror\\ -Wno-error"), first.proposal().env());
    new OverridesEditor(rig.layout.overrides(), rig.layout.overridesHistory()).apply(first.proposal(), first.diagnosis(), "rules");
    RunnerRig.Outcome second = rig.failAndPropose();
    assertEquals("gcc10-fno-common", second.rule(), second.excerpt());
    assertEquals(Map.of("MAKEFLAGS", "CFLAGS=-O2\\ -Wall\\ -Werror\\ -Wno-error\\ -fcommon"), second.proposal().env());
    rig.applyAndRebuild(second);
  }

  @Test
  void aMakefileVariableRunningAMissingToolIsSetToTrueAsACommandLineVariable() throws Exception {
    String tool = List.of("makeinfo", "help2man", "ronn", "asciidoctor", "txt2man", "xmlto").stream()
        .filter(t -> !RunnerRig.onPath(t)).findFirst().orElseThrow(() -> new AssertionError("every doc tool is installed"));
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make -j2", Map.of(), Map.of());
    rig.write("Makefile", "DOCTOOL = " + tool + "\nall: prog prog.1\nprog: main.c\n\t$(CC) -o prog main.c\n"
        + "prog.1: doc.src\n\t$(DOCTOOL) doc.src > prog.1\n");
    rig.write("main.c", "int main(void) { return 0; }\n").write("doc.src", "manual\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("missing-tool-make-variable", o.rule(), o.excerpt() + "\n" + o.skipped());
    assertEquals(Map.of("MAKEFLAGS", "DOCTOOL=true"), o.proposal().env(),
        "the Makefile's DOCTOOL = " + tool + " beats the environment; MAKEFLAGS carries a command-line variable");
    assertTrue(o.proposal().rationale().contains(tool), o.proposal().rationale());
    rig.applyAndRebuild(o);
  }

  @Test
  void aMissingToolNoMakefileVariableRunsGetsNoGuess() throws Exception {
    String tool = List.of("ronn", "asciidoctor", "txt2man", "xmlto", "makeinfo").stream()
        .filter(t -> !RunnerRig.onPath(t)).findFirst().orElseThrow();
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "all:\n\t" + tool + " doc.src > doc.out\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertNotEquals("missing-tool-make-variable", o.rule());
    assertTrue(o.skipped().stream().anyMatch(s -> s.startsWith("missing-tool-make-variable: no Makefile variable")),
        o.skipped().toString());
  }

  @Test
  void aMissingCompilerIsNotReplacedByANoOp() throws Exception {
    // A cross compiler that is not installed: "make: <cc>: No such file or directory". CC runs
    // the compile recipes, so CC=true would only move the failure; no proposal, a person installs it.
    String cc = "aarch64-bq2-linux-gnu-gcc";
    assertFalse(RunnerRig.onPath(cc));
    RunnerRig rig = new RunnerRig(dir).plan("shell", "make", Map.of(), Map.of());
    rig.write("Makefile", "CC = " + cc + "\nprog: main.o\n\t$(CC) -o prog main.o\nmain.o: main.c\n\t$(CC) -c main.c\n");
    rig.write("main.c", "int main(void) { return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertTrue(o.excerpt().contains(cc), o.excerpt());
    assertNull(o.proposal(), () -> "CC must not become a no-op: " + o.proposal());
    assertTrue(o.skipped().stream().anyMatch(s -> s.startsWith("missing-tool-make-variable: CC (" + cc + ") builds") && s.contains("main.o")),
        o.skipped().toString());
  }

  @Test
  void libmReachesAMakefileThatAssignsLdlibsItself() throws Exception {
    RunnerRig rig = new RunnerRig(dir).plan("makefile-classic", null, Map.of(), Map.of("LDLIBS", "-ldl"));
    rig.write("Makefile.bq2", "LDLIBS = -lpthread\nprog: main.o\n\t$(CC) $(LDFLAGS) -o prog main.o $(LDLIBS)\n" + INSTALL);
    rig.write("main.c", "#include <math.h>\n#include <stdio.h>\n"
        + "int main(int argc, char **argv) { (void)argv; printf(\"%d\\n\", (int)sqrt((double)argc * 16)); return 0; }\n");
    RunnerRig.Outcome o = rig.failAndPropose();
    assertEquals("missing-libm-make", o.rule(), o.excerpt());
    assertEquals(Map.of("MAKEFLAGS", "LDLIBS=-lpthread\\ -lm"), o.proposal().env(),
        "the Makefile's LDLIBS, not the step's ignored -ldl, plus -lm");
    rig.applyAndRebuild(o);
    assertEquals("4", rig.runInstalled("usr/bin/prog"));
  }
}
