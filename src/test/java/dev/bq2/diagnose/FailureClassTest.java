package dev.bq2.diagnose;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 §1 failure classes, each from a real failing build run through the runner's
 * ProcessCommandRunner: a target binary run during a cross build, a missing tool, a static link,
 * a configure check; and the neighbours that must keep their old class.
 */
class FailureClassTest {
  @TempDir Path dir;
  Rig rig;
  Path src;

  @BeforeEach
  void setUp() throws Exception {
    rig = new Rig(dir);
    src = Files.createDirectories(dir.resolve("src"));
  }

  Diagnosis make(String makefile, Map<String, String> env, String... makeArgs) throws Exception {
    Rig.write(src.resolve("Makefile"), makefile);
    String[] argv = new String[makeArgs.length + 1];
    argv[0] = "make";
    System.arraycopy(makeArgs, 0, argv, 1, makeArgs.length);
    return Rig.diagnose(rig.step("pkg", src, env, true, Rig.Cmd.run(argv)));
  }

  static void sh(Path cwd, String script) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-e", "-c", script).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), script + "\n" + out);
  }

  /**
   * A program built by the aarch64 cross compiler (no libc needed: it only exits). Where the
   * kernel would hand aarch64 binaries to qemu (binfmt_misc), its machine field is changed to one no
   * handler claims, so the build machine refuses it as it refuses a target binary without qemu.
   */
  void foreignProgram(String name) throws Exception {
    Rig.write(src.resolve(name + ".c"),
        "void _start(void) { __asm__ volatile(\"mov x0, #0\\n mov x8, #93\\n svc #0\"); }\n");
    sh(src, "aarch64-linux-gnu-gcc -nostdlib -static -o " + name + " " + name + ".c");
    boolean binfmt = false;
    Path handlers = Path.of("/proc/sys/fs/binfmt_misc");
    if (Files.isDirectory(handlers)) {
      try (var list = Files.list(handlers)) {
        binfmt = list.anyMatch(p -> p.getFileName().toString().contains("aarch64"));
      }
    }
    if (binfmt) {
      try (RandomAccessFile f = new RandomAccessFile(src.resolve(name).toFile(), "rw")) {
        f.seek(18); // e_machine
        f.write(new byte[] {(byte) 0xef, (byte) 0xbe});
      }
    }
  }

  @Test
  void runningATargetBinaryIsCrossExec() throws Exception {
    foreignProgram("gen");
    // through the shell (a redirect): dash reports Exec format error
    Diagnosis viaShell = make("out.h: gen\n\t./gen > out.h\n", Map.of());
    assertEquals(FailureClass.CROSS_EXEC, viaShell.failureClass(), Rig.json(viaShell));
    assertTrue(viaShell.cause().contains("Exec format error"), Rig.json(viaShell));
    // make execs it itself and, on ENOEXEC, lets the shell read the ELF file as a script
    Diagnosis direct = make("run: gen\n\t./gen\n", Map.of());
    assertEquals(FailureClass.CROSS_EXEC, direct.failureClass(), Rig.json(direct));
    assertTrue(direct.cause().contains("./gen"), Rig.json(direct));
    // bash says so outright
    Diagnosis bash = Rig.diagnose(rig.step("pkg", src, Map.of(), true, Rig.Cmd.run("bash", "-c", "./gen --help")));
    assertEquals(FailureClass.CROSS_EXEC, bash.failureClass(), Rig.json(bash));
    assertTrue(bash.cause().contains("cannot execute binary file"), Rig.json(bash));
  }

  /**
   * What dash says when it reads a target ELF as a script depends on the binary's bytes (its
   * build path among them): a syntax error of some kind, a "line" of bytes not found, or a
   * redirection it cannot open, on whatever line. All of them are cross_exec when the file is ELF.
   * (dash's words are printed by the recipe here, so each form is tried, not only the one these
   * bytes happen to give.)
   */
  @Test
  void everyFormOfDashReadingATargetBinaryIsCrossExec() throws Exception {
    foreignProgram("gen");
    for (String said : List.of("./gen: 4: Syntax error: Unterminated quoted string",
        "./gen: 2: Syntax error: EOF in backquote substitution", "./gen: 1: ELFxx@@8: not found",
        "./gen: 3: cannot open E: No such file")) {
      Diagnosis d = make("run: gen\n\t@echo '" + said + "' >&2; exit 2\n", Map.of());
      assertEquals(FailureClass.CROSS_EXEC, d.failureClass(), said + "\n" + Rig.json(d));
    }
  }

  @Test
  void aShellScriptWithASyntaxErrorIsNotCrossExec() throws Exception {
    Rig.write(src.resolve("gen"), "echo (\n");
    src.resolve("gen").toFile().setExecutable(true);
    Diagnosis d = make("run:\n\t./gen\n", Map.of());
    assertNotEquals(FailureClass.CROSS_EXEC, d.failureClass(), Rig.json(d));
  }

  @Test
  void aProgramTheBuildRunsThatIsNotInstalledIsMissingTool() throws Exception {
    Diagnosis viaShell = make("doc.1:\n\tbq2-absent-tool --output=doc.1 > doc.log\n", Map.of());
    assertEquals(FailureClass.MISSING_TOOL, viaShell.failureClass(), Rig.json(viaShell));
    assertTrue(viaShell.cause().contains("bq2-absent-tool: not found"), Rig.json(viaShell));

    Diagnosis execByMake = make("doc.1:\n\tbq2-absent-tool --output=doc.1\n", Map.of());
    assertEquals(FailureClass.MISSING_TOOL, execByMake.failureClass(), Rig.json(execByMake));
    assertTrue(execByMake.cause().contains("bq2-absent-tool: No such file or directory"), Rig.json(execByMake));

    Diagnosis bash = Rig.diagnose(rig.step("pkg", src, Map.of(), true, Rig.Cmd.run("bash", "-c", "bq2-absent-tool x")));
    assertEquals(FailureClass.MISSING_TOOL, bash.failureClass(), Rig.json(bash));
    assertTrue(bash.cause().contains("command not found"), Rig.json(bash));

    // automake's `missing` wrapper, as generated Makefiles call makeinfo, help2man, ...
    Path missing = Path.of(new String(new ProcessBuilder("automake", "--print-libdir").start().getInputStream()
        .readAllBytes()).strip(), "missing");
    Rig.write(src.resolve("doc.texi"), "\\input texinfo\n");
    Diagnosis automake = make("TOOL = $(SHELL) " + missing + " bq2-absent-doc-tool\ndoc.info: doc.texi\n\t$(TOOL) doc.texi\n",
        Map.of());
    assertEquals(FailureClass.MISSING_TOOL, automake.failureClass(), Rig.json(automake));
    assertTrue(automake.excerpt().stream().anyMatch(l -> l.contains("WARNING: 'bq2-absent-doc-tool' is missing on your system")),
        Rig.json(automake));
  }

  @Test
  void staticLinksOfSharedObjectsAreStaticLinkOtherLinkErrorsStayLink() throws Exception {
    Rig.write(src.resolve("foo.c"), "int foo(void) { return 1; }\n");
    Rig.write(src.resolve("main.c"), "int foo(void);\nint main(void) { return foo() - 1; }\n");
    sh(src, "gcc -shared -fPIC -o libfoo.so foo.c");

    Diagnosis dynObject = make("prog: main.c\n\t$(CC) -static -o prog main.c libfoo.so\n", Map.of());
    assertEquals(FailureClass.STATIC_LINK, dynObject.failureClass(), Rig.json(dynObject));
    assertTrue(dynObject.cause().contains("attempted static link of dynamic object"), Rig.json(dynObject));

    // only libfoo.so exists: -lfoo resolves in a dynamic link but not under -static (from LDFLAGS)
    String viaLdflags = "prog: main.c\n\t$(CC) $(LDFLAGS) -o prog main.c -L. -lfoo\n";
    Diagnosis noArchive = make(viaLdflags, Map.of("LDFLAGS", "-static"));
    assertEquals(FailureClass.STATIC_LINK, noArchive.failureClass(), Rig.json(noArchive));
    assertTrue(noArchive.cause().contains("cannot find -lfoo"), Rig.json(noArchive));

    Diagnosis dynamicMissing = make("prog: main.c\n\t$(CC) -o prog main.c -L. -lbq2absent\n", Map.of());
    assertEquals(FailureClass.LINK, dynamicMissing.failureClass(), Rig.json(dynamicMissing));

    Rig.write(src.resolve("r.c"), "int x; int *p = &x; int g(void) { return *p; }\n");
    Diagnosis reloc = make("libr.so: r.c\n\t$(CC) -fno-pic -c r.c -o r.o\n\t$(CC) -shared -o libr.so r.o\n", Map.of());
    assertEquals(FailureClass.LINK, reloc.failureClass(), Rig.json(reloc));
    assertTrue(reloc.cause().contains("can not be used when making a shared object"), Rig.json(reloc));
  }

  @Test
  void aFailedConfigureCheckIsConfigureAndItsErrorIsTheCause() throws Exception {
    Rig.write(src.resolve("configure"), "#!/bin/sh\necho 'checking for gcc... gcc'\n"
        + "bq2-absent-probe --version 2>&1 || true\necho 'checking for zlib.h... no'\n"
        + "echo 'configure: error: zlib.h not found; use --without-zlib to build without it' >&2\nexit 1\n");
    src.resolve("configure").toFile().setExecutable(true);
    Diagnosis d = Rig.diagnose(rig.step("pkg", src, Map.of(), true, Rig.Cmd.run("./configure", "--prefix=/usr")));
    assertEquals(FailureClass.CONFIGURE, d.failureClass(), Rig.json(d));
    assertEquals("configure: error: zlib.h not found; use --without-zlib to build without it", d.cause());
    assertTrue(d.excerpt().contains("checking for zlib.h... no"), Rig.json(d));
    assertTrue(d.excerpt().stream().anyMatch(l -> l.contains("bq2-absent-probe: not found")), Rig.json(d));
  }

  @Test
  void withManyErrorsTheCauseIsTheFirstOneOfTheFailedCommand() throws Exception {
    StringBuilder c = new StringBuilder();
    for (int i = 1; i <= 30; i++) c.append("int f").append(i).append("(void) { return undeclared_").append(i).append("; }\n");
    Rig.write(src.resolve("many.c"), c.toString());
    Rig.write(src.resolve("early.c"), "int early(void) { return not_this_one; }\n");
    Path report = rig.step("pkg", src, Map.of(), true, Rig.Cmd.tolerant("gcc", "-c", "early.c"),
        Rig.Cmd.run("gcc", "-fmax-errors=0", "-c", "many.c"));
    Diagnosis d = Rig.diagnose(report);
    assertTrue(d.cause().contains("undeclared_1'") || d.cause().contains("undeclared_1’"), Rig.json(d));
    assertTrue(d.excerpt().stream().noneMatch(l -> l.contains("undeclared_1'") || l.contains("undeclared_1’")),
        "the excerpt keeps the errors nearest the exit; the cause reaches back to the first: " + Rig.json(d));
    assertTrue(Files.readString(d.outputLog()).contains("not_this_one"));
  }

  @Test
  void theCauseIsTheRootErrorNotWarningsEchoesOrSummaries() throws Exception {
    Rig.write(src.resolve("a.c"), "int a(void) { int unused; return 0; }\n");
    Rig.write(src.resolve("b.c"), "int b(void) { return missing_name; }\n");
    Diagnosis compile = make("all: a.o b.o\n%.o: %.c\n\t$(CC) -Wall -c $< -o $@\n", Map.of(), "-k");
    assertTrue(compile.cause().contains("b.c") && compile.cause().contains("error:")
        && compile.cause().contains("missing_name"), Rig.json(compile));
    assertTrue(compile.excerpt().stream().anyMatch(l -> l.startsWith("make: ***")), Rig.json(compile));

    // make's own "No rule to make target" is the cause when it is the failing make's
    Rig.write(src.resolve("main.c"), "#include \"gen.h\"\nint main(void) { return 0; }\n");
    Diagnosis noRule = make("prog: main.o\n\t$(CC) -o $@ $^\nmain.o: main.c gen.h\n", Map.of());
    assertTrue(noRule.cause().startsWith("make: *** No rule to make target 'gen.h'"), Rig.json(noRule));
    assertEquals(List.of(noRule.cause()), noRule.excerpt().stream().filter(LogExcerpt::isPrimary).toList());
  }
}
