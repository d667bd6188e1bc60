package dev.bq2.diagnose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.cli.Bq2;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 8 §1: the same root error gives one signature whatever order `make -j4` prints things in.
 * A recursive make builds eight files that all include one broken header; each recipe first sleeps
 * a random few centiseconds, so which compiles start, fail and get reported (and in what order,
 * with which "Error 1"/"Error 2" summaries and directory lines) varies from run to run.
 */
class ParallelSignatureTest {
  @TempDir Path dir;

  /** A package whose header has {@code body} as the body of an inline function. */
  static void writePackage(Path pkg, String body) throws Exception {
    Rig.write(pkg.resolve("Makefile"), "all:\n\t$(MAKE) -C src\n");
    StringBuilder objs = new StringBuilder();
    for (char c = 'a'; c <= 'h'; c++) {
      Rig.write(pkg.resolve("src/" + c + ".c"), "#include \"common.h\"\nint f_" + c + "(void) { return broken() + 1; }\n");
      objs.append(' ').append(c).append(".o");
    }
    Rig.write(pkg.resolve("src/main.c"), "int main(void) { return 0; }\n");
    Rig.write(pkg.resolve("src/common.h"), "static inline int broken(void) {\n  " + body + "\n}\n");
    Rig.write(pkg.resolve("src/Makefile"), "prog: main.o" + objs + "\n\t$(CC) -o $@ $^\n"
        + "%.o: %.c\n"
        + "\t@sleep 0.0$$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')\n"
        + "\t$(CC) -O0 -c $< -o $@\n");
  }

  /** Runs the step ten times through the real sysroot-runner; the signatures of its failures. */
  List<Diagnosis> runTenTimes(String name, String body) throws Exception {
    Path root = dir.resolve(name + "-rootfs");
    Files.createDirectories(root.resolve("var/lib"));
    Path pkg = dir.resolve(name + "-work/pkg");
    writePackage(pkg, body);
    String plan = "{\"format_version\": 2, \"phases\": [{\"name\": \"sysroot\", \"description\": \"d\","
        + " \"namespace\": \"host\", \"install_prefix\": \"/usr\", \"env\": {}, \"steps\": [{"
        + "\"name\": \"pkg\", \"strategy\": \"shell\", \"workdir\": \"" + pkg + "\", \"configure_flags\": [],"
        + " \"patches\": [], \"env\": {}, \"clean_build\": false, \"content\": \"rm -f src/*.o && make -j4\"}]}]}";
    RootfsLayout layout = RootfsLayout.of(root);
    Files.writeString(layout.plan(), plan);
    List<Diagnosis> out = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      StringWriter text = new StringWriter();
      CommandLine cl = Bq2.commandLine();
      cl.setOut(new PrintWriter(text, true));
      cl.setErr(new PrintWriter(text, true));
      assertEquals(1, cl.execute("sysroot-runner", "--rootfs", root.toString(), "--no-echo"), text.toString());
      List<Path> fresh = new ArrayList<>(ReportFiles.list(layout.reportDir()));
      fresh.removeAll(seen);
      assertEquals(1, fresh.size(), "one new report per run: " + fresh);
      seen.addAll(fresh);
      out.add(Rig.diagnose(fresh.get(0)));
    }
    return out;
  }

  @Test
  void tenParallelRunsOfOneRootErrorGiveOneSignatureAndAnotherErrorAnother() throws Exception {
    List<Diagnosis> one = runTenTimes("one", "return undeclared_thing;");
    Set<String> sigs = new LinkedHashSet<>();
    Set<List<String>> excerpts = new LinkedHashSet<>();
    for (Diagnosis d : one) {
      sigs.add(d.signature());
      excerpts.add(d.excerpt());
      assertTrue(d.cause().contains("error: ") && d.cause().contains("undeclared_thing"), Rig.json(d));
      assertEquals(FailureClass.COMPILE, d.failureClass());
    }
    assertEquals(1, sigs.size(), "ten runs, one signature; excerpts seen:\n" + excerpts);

    List<Diagnosis> other = runTenTimes("other", "return *1;");
    Set<String> otherSigs = new LinkedHashSet<>();
    for (Diagnosis d : other) otherSigs.add(d.signature());
    assertEquals(1, otherSigs.size());
    assertNotEquals(sigs, otherSigs, "two root errors, two signatures");
  }

  /** The same decisive set in any order, with any make noise around it, is one signature. */
  @Test
  void orderPathsMakeLevelsAndSummariesDoNotMatter() {
    List<String> a = List.of(
        "make[1]: Entering directory '/tmp/a1/pkg/src'",
        "/tmp/a1/pkg/src/common.h:2:10: error: 'x' undeclared (first use in this function)",
        "make[1]: *** [Makefile:3: b.o] Error 1",
        "make[1]: *** Waiting for unfinished jobs....",
        "/tmp/a1/pkg/src/common.h:2:10: error: 'x' undeclared (first use in this function)",
        "make[1]: *** [Makefile:3: a.o] Error 1",
        "make: *** [Makefile:2: all] Error 2");
    List<String> b = new ArrayList<>(List.of(
        "src/common.h:2:10: error: 'x' undeclared (first use in this function)",
        "make[2]: *** [Makefile:3: d.o] Error 1",
        "libtool: compile:  gcc -c d.c -o d.o -Werror error: x",
        "mv -f .deps/d.Tpo .deps/d.Po",
        "make[2]: Leaving directory '/other/pkg/src'"));
    Collections.shuffle(b, new Random(7));
    String sa = Signature.of("p", "s", FailureClass.COMPILE, a, "e");
    assertEquals(sa, Signature.of("p", "s", FailureClass.COMPILE, b, "e"));
    assertEquals(List.of("common.h:*: error: 'x' undeclared (first use in this function)"), Signature.basis(a));
    assertNotEquals(sa, Signature.of("p", "s", FailureClass.COMPILE, List.of("common.h:2: error: 'y' undeclared"), "e"));
    // Without any root line the summaries are the failure, make levels aside.
    assertEquals(Signature.of("p", "s", FailureClass.COMPILE, List.of("make[3]: *** [Makefile:9: x] Error 1"), "e"),
        Signature.of("p", "s", FailureClass.COMPILE, List.of("make: *** [Makefile:9: x] Error 1"), "e"));
    assertFalse(LogExcerpt.isDecisive("make[1]: *** Waiting for unfinished jobs...."));
    assertFalse(LogExcerpt.isDecisive("libtool: link: gcc -o prog a.o -Werror error: fake"));
    assertFalse(LogExcerpt.isDecisive("Finished in 0.012s (exit=1): /bin/sh -e -c echo 'error: quoted'; exit 1"));
    assertFalse(LogExcerpt.isDecisive("Step failed: Command failed (1): /bin/sh -e -c echo 'error: quoted'; exit 1"));
    assertTrue(LogExcerpt.isDecisive("error: quoted"));
  }
}
