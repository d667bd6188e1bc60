package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.runner.StepFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CmakeStrategiesTest {
  @TempDir Path tmp;

  LoggingCommandRunner commands() {
    return new LoggingCommandRunner(tmp.resolve("step.log"));
  }

  @Test
  void cmakeProjectConfiguresBuildsAndInstallsWithDestdirInTheEnv() throws Exception {
    Path src = CPackages.cmakePackage(tmp.resolve("hello-cmake"));
    Path stage = tmp.resolve("stage");
    TestStep s = new TestStep("hello", "cmake-project", src);
    String prefix = tmp.resolve("opt/x").toString();
    s.installPrefix = prefix;
    s.destdir = stage.toString();
    s.flags = List.of("-DCMAKE_C_FLAGS=-DEXTRA=5");
    LoggingCommandRunner cmds = commands();

    Strategies.find("cmake-project").orElseThrow().execute(s.context(cmds));

    assertEquals("hello 5", CPackages.run(Path.of(stage + prefix + "/bin/hello")));
    assertEquals(List.of(
        "cmake -S . -B build -DCMAKE_INSTALL_PREFIX=" + prefix + " -DCMAKE_C_FLAGS=-DEXTRA=5",
        "cmake --build build -j2",
        "cmake --install build"), cmds.commandLines());
    assertEquals(stage.toString(), cmds.envs.get(2).get("DESTDIR"));
    assertNull(cmds.envs.get(1).get("DESTDIR"), "DESTDIR only for the install");
  }

  @Test
  void cmakeProjectDeletesTheBuildDirFirstAndHonoursCmakeSourceDir() throws Exception {
    Path top = Files.createDirectories(tmp.resolve("llvm-project"));
    CPackages.cmakePackage(top.resolve("llvm"));
    Files.createDirectories(top.resolve("out"));
    Files.writeString(top.resolve("out/stale-marker"), "old build");
    Path prefix = tmp.resolve("inst");
    TestStep s = new TestStep("llvm", "cmake-project", top);
    s.buildDir = "out";
    s.env.put("CMAKE_SOURCE_DIR", "llvm");
    s.phasePrefix = prefix.toString();
    LoggingCommandRunner cmds = commands();

    Strategies.find("cmake-project").orElseThrow().execute(s.context(cmds));

    assertFalse(Files.exists(top.resolve("out/stale-marker")), "build dir wiped before configuring");
    assertTrue(Files.exists(top.resolve("out/CMakeCache.txt")));
    assertTrue(cmds.commandLines().get(0).startsWith("cmake -S llvm -B out "));
    assertEquals("hello 0", CPackages.run(prefix.resolve("bin/hello")));
  }

  @Test
  void cmakeProjectRefusesABuildDirThatContainsTheWorkdir() throws Exception {
    Path src = CPackages.cmakePackage(tmp.resolve("hello-cmake"));
    TestStep s = new TestStep("hello", "cmake-project", src);
    s.buildDir = ".";

    StepFailedException e = assertThrows(StepFailedException.class,
        () -> Strategies.find("cmake-project").orElseThrow().execute(s.context(commands())));

    assertTrue(e.getMessage().startsWith("Refusing to delete cmake build_dir"), e.getMessage());
    assertTrue(Files.exists(src.resolve("CMakeLists.txt")), "nothing deleted");
  }

  static final String BOOTSTRAP = """
      #!/bin/sh
      # Stand-in for CMake's bootstrap: configures out of tree into the current directory.
      srcdir=$(dirname "$0")
      parallel= prefix=/usr/local extra=
      while [ $# -gt 0 ]; do
        case "$1" in
          --parallel=*) parallel="${1#--parallel=}" ;;
          --prefix=*) prefix="${1#--prefix=}" ;;
          --) shift; extra="$*"; break ;;
          *) echo "bootstrap: unknown option $1" >&2; exit 1 ;;
        esac
        shift
      done
      { echo "PREFIX = $prefix"; echo "SRC = $srcdir"; echo "EXTRA = $extra"; cat "$srcdir/Makefile.tmpl"; } > Makefile
      """;

  static final String BOOTSTRAP_MAKEFILE = """
      all: hello
      hello: $(SRC)/hello.c
      \t$(CC) $(EXTRA) -o hello $(SRC)/hello.c
      install: hello
      \tmkdir -p $(DESTDIR)$(PREFIX)/bin
      \tcp hello $(DESTDIR)$(PREFIX)/bin/hello
      clean:
      \trm -f hello
      \ttouch cleaned
      """;

  @Test
  void cmakeBootstrapRunsInBuildDirAndCleansOnlyWhenBuildFilesExisted() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("cmake-3.29"));
    Files.writeString(src.resolve("hello.c"), CPackages.HELLO_C);
    Files.writeString(src.resolve("Makefile.tmpl"), BOOTSTRAP_MAKEFILE);
    CPackages.executable(src.resolve("bootstrap"), BOOTSTRAP);
    Path stage = tmp.resolve("stage");
    TestStep s = new TestStep("cmake", "cmake", src);
    s.buildDir = "build";
    String prefix = tmp.resolve("usr").toString();
    s.installPrefix = prefix;
    s.destdir = stage.toString();
    s.flags = List.of("-DEXTRA=9");
    LoggingCommandRunner first = commands();

    Strategies.find("cmake").orElseThrow().execute(s.context(first));

    Path build = src.resolve("build");
    assertEquals(List.of(
        src.resolve("bootstrap") + " --parallel=2 --prefix=" + prefix + " -- -DEXTRA=9",
        "make -j2",
        "make DESTDIR=" + stage + " install"), first.commandLines());
    assertTrue(first.dirs.stream().allMatch(build::equals), "every command runs in build_dir");
    assertEquals("hello 9", CPackages.run(Path.of(stage + prefix + "/bin/hello")));
    assertFalse(Files.exists(build.resolve("cleaned")));

    LoggingCommandRunner second = commands();
    Strategies.find("cmake").orElseThrow().execute(s.context(second));

    assertEquals("make clean", second.commandLines().get(1), "earlier build files trigger make clean");
    assertTrue(Files.exists(build.resolve("cleaned")));
  }

  @Test
  void cmakeBootstrapWithoutBuildDirBuildsInTheWorkdirWithoutFlagSeparator() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("cmake-3.29"));
    Files.writeString(src.resolve("hello.c"), CPackages.HELLO_C);
    Files.writeString(src.resolve("Makefile.tmpl"), BOOTSTRAP_MAKEFILE);
    CPackages.executable(src.resolve("bootstrap"), BOOTSTRAP);
    TestStep s = new TestStep("cmake", "cmake", src);
    s.cleanBuild = true;
    s.phasePrefix = tmp.resolve("inst").toString();
    LoggingCommandRunner cmds = commands();

    Strategies.find("cmake").orElseThrow().execute(s.context(cmds));

    assertEquals(src.resolve("bootstrap") + " --parallel=2 --prefix=" + tmp.resolve("inst"), cmds.commandLines().get(0));
    assertEquals("make clean", cmds.commandLines().get(1), "clean_build forces make clean");
    assertEquals("hello 0", CPackages.run(tmp.resolve("inst/bin/hello")));
  }
}
