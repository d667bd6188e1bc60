package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.runner.Patches;
import dev.bq2.runner.StepFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Patches.applyAll with the system GNU patch on real trees. */
class PatchesTest {
  @TempDir Path tmp;

  static final String GIT_PATCH = """
      diff --git a/hello.c b/hello.c
      index 1111111..2222222 100644
      --- a/hello.c
      +++ b/hello.c
      @@ -6,3 +6,3 @@
       #define GREETING "hello"
       #endif
      -int main(void) { printf("%s %d\\n", GREETING, EXTRA); return 0; }
      +int main(void) { printf("patched %s %d\\n", GREETING, EXTRA); return 0; }
      diff --git a/NOTES b/NOTES
      new file mode 100644
      --- /dev/null
      +++ b/NOTES
      @@ -0,0 +1 @@
      +patched by bq2
      """;

  static final String TWO_HUNKS = """
      --- a/lines.txt
      +++ b/lines.txt
      @@ -2,3 +2,3 @@
       line 2
      -line 3
      +line three
       line 4
      @@ -14,3 +14,3 @@
       line 14
      -line 15
      +line fifteen
       line 16
      """;

  static final String PLAIN_MULTI_FILE = """
      --- src/util.c
      +++ src/util.c
      @@ -1 +1 @@
      -int util(void) { return 1; }
      +int util(void) { return 2; }
      --- include/util.h
      +++ include/util.h
      @@ -1 +1 @@
      -int util(void);
      +int util(void); /* returns 2 */
      """;

  Path patch(String name, String text) throws Exception {
    Path p = Files.createDirectories(tmp.resolve("patches")).resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static String lines(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n"));
  }

  LoggingCommandRunner apply(Path cwd, Path... patches) throws Exception {
    TestStep s = new TestStep("pkg", "autotools", cwd);
    s.patches = java.util.Arrays.stream(patches).map(Path::toString).toList();
    LoggingCommandRunner cmds = new LoggingCommandRunner(tmp.resolve("step.log"));
    Patches.applyAll(s.context(cmds));
    return cmds;
  }

  @Test
  void gitStylePatchIsAppliedBeforeTheBuildAndSkippedOnRerun() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    Path p = patch("0001-greeting.patch", GIT_PATCH);

    LoggingCommandRunner first = apply(src, p);
    assertTrue(first.logText().contains("Applied patch " + p + " (-p1)"), first.logText());
    assertEquals("patched by bq2\n", Files.readString(src.resolve("NOTES")), "creation via /dev/null");

    String patched = Files.readString(src.resolve("hello.c"));
    LoggingCommandRunner second = apply(src, p);
    assertTrue(second.logText().contains("Patch already applied; skipping " + p), second.logText());
    assertEquals(patched, Files.readString(src.resolve("hello.c")));
    assertTrue(second.commandLines().isEmpty(), "nothing is changed on a rerun");
    try (var files = Files.list(src)) {
      assertTrue(files.noneMatch(f -> f.toString().endsWith(".rej") || f.toString().endsWith(".orig")));
    }

    TestStep build = new TestStep("hello", "autotools", src);
    build.phasePrefix = tmp.resolve("inst").toString();
    Strategies.find("autotools").orElseThrow().execute(build.context(new LoggingCommandRunner(tmp.resolve("b.log"))));
    assertEquals("patched hello 0", CPackages.run(tmp.resolve("inst/bin/hello")));
  }

  @Test
  void plainMultiFilePatchAppliesAtP0() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("pkg"));
    Files.createDirectories(src.resolve("src"));
    Files.createDirectories(src.resolve("include"));
    Files.writeString(src.resolve("src/util.c"), "int util(void) { return 1; }\n");
    Files.writeString(src.resolve("include/util.h"), "int util(void);\n");
    Path p = patch("plain.patch", PLAIN_MULTI_FILE);

    LoggingCommandRunner cmds = apply(src, p);

    assertEquals("int util(void) { return 2; }\n", Files.readString(src.resolve("src/util.c")));
    assertEquals("int util(void); /* returns 2 */\n", Files.readString(src.resolve("include/util.h")));
    assertTrue(cmds.logText().contains("Applied patch " + p + " (-p0)"), cmds.logText());
    assertTrue(apply(src, p).logText().contains("Patch already applied; skipping " + p));
  }

  @Test
  void patchesApplyInOrderAndTolerateShiftedLines() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("pkg"));
    Files.writeString(src.resolve("lines.txt"), "new top 1\nnew top 2\n" + lines(20));
    Path first = patch("1.patch", TWO_HUNKS);
    Path second = patch("2.patch", """
        --- a/lines.txt
        +++ b/lines.txt
        @@ -2,3 +2,3 @@
         line 2
        -line three
        +line THREE
         line 4
        """);

    apply(src, first, second);

    String text = Files.readString(src.resolve("lines.txt"));
    assertTrue(text.contains("line THREE\n") && text.contains("line fifteen\n"), text);
  }

  @Test
  void aFailingHunkIsNamedWithItsFileAndNothingIsChanged() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("pkg"));
    String local = lines(20).replace("line 15\n", "line 15 changed locally\n");
    Files.writeString(src.resolve("lines.txt"), local);
    Path p = patch("0002-two-hunks.patch", TWO_HUNKS);

    StepFailedException e = assertThrows(StepFailedException.class, () -> apply(src, p));

    assertEquals("Patch " + p + " does not apply: Hunks failed to apply for lines.txt (lines.txt: Hunk #2 FAILED at 14)",
        e.getMessage());
    assertNull(e.command(), "patch failures are not command failures");
    assertEquals(local, Files.readString(src.resolve("lines.txt")), "dry runs first: hunk #1 was not applied either");
  }

  @Test
  void aPatchForFilesThatAreNotThereSaysSo() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("empty"));
    Path p = patch("plain.patch", PLAIN_MULTI_FILE);
    StepFailedException e = assertThrows(StepFailedException.class, () -> apply(src, p));
    assertTrue(e.getMessage().contains("do not exist in the workdir"), e.getMessage());
  }

  @Test
  void aMissingPatchFileIsAClearError() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("pkg"));
    Path missing = tmp.resolve("patches/none.patch");
    StepFailedException e = assertThrows(StepFailedException.class, () -> apply(src, missing));
    assertEquals("Missing patch file " + missing + " (listed in patches of step pkg); fix the path or remove it from "
        + "the step's patches", e.getMessage());
  }

  @Test
  void describeFailureCollectsEveryFailedHunk() {
    String out = "checking file a.c\nHunk #1 FAILED at 3.\nchecking file 'b c.h'\nHunk #2 FAILED at 40.\n"
        + "Hunk #3 FAILED at 90.\n3 out of 3 hunks FAILED\n";
    assertEquals("Hunks failed to apply for a.c, b c.h (a.c: Hunk #1 FAILED at 3; b c.h: Hunk #2 FAILED at 40; "
        + "b c.h: Hunk #3 FAILED at 90)", Patches.describeFailure(out));
  }
}
