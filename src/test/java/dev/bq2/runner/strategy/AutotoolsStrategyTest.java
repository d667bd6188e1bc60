package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutotoolsStrategyTest {
  @TempDir Path tmp;

  Strategy autotools = Strategies.find("autotools").orElseThrow();

  LoggingCommandRunner commands() {
    return new LoggingCommandRunner(tmp.resolve("step.log"));
  }

  @Test
  void configuresBuildsAndInstallsIntoDestdirWithFlagsAndStepEnv() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    Path stage = tmp.resolve("stage");
    TestStep s = new TestStep("hello", "autotools", src);
    String prefix = tmp.resolve("opt/demo").toString();
    s.installPrefix = prefix;
    s.destdir = stage.toString();
    s.flags = List.of("--with-greeting=bonjour");
    s.env.put("CFLAGS", "-O1 -DEXTRA=42");
    LoggingCommandRunner cmds = commands();

    autotools.execute(s.context(cmds));

    Path installed = Path.of(stage + prefix + "/bin/hello");
    assertTrue(Files.isExecutable(installed), "make install honoured DESTDIR: " + cmds.logText());
    assertEquals("bonjour 42", CPackages.run(installed));
    assertEquals(List.of(
        "./configure --prefix=" + prefix + " --with-greeting=bonjour",
        "make -j2",
        "make DESTDIR=" + stage + " install"), cmds.commandLines());
    assertTrue(cmds.logText().contains("configure: prefix=" + prefix + " greeting=bonjour"), "output is logged");
  }

  @Test
  void installsIntoThePrefixWhenThereIsNoDestdir() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    Path prefix = tmp.resolve("inst");
    TestStep s = new TestStep("hello", "autotools", src);
    s.phasePrefix = prefix.toString();
    LoggingCommandRunner cmds = commands();

    autotools.execute(s.context(cmds));

    assertEquals("hello 0", CPackages.run(prefix.resolve("bin/hello")));
    assertEquals("make install", cmds.commandLines().get(2));
  }

  @Test
  void cleanBuildFallsBackToMakeCleanWhenDistcleanFailsAndContinues() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    Files.writeString(src.resolve("Makefile"), "distclean:\n\texit 3\nclean:\n\ttouch clean-ran\n");
    TestStep s = new TestStep("hello", "autotools", src);
    s.cleanBuild = true;
    s.phasePrefix = tmp.resolve("inst").toString();
    LoggingCommandRunner cmds = commands();

    autotools.execute(s.context(cmds));

    assertEquals(List.of("make distclean", "make clean"), cmds.commandLines().subList(0, 2));
    assertTrue(Files.exists(src.resolve("clean-ran")));
    assertTrue(cmds.logText().contains("WARN make distclean failed (2); attempting make clean"), cmds.logText());
    assertTrue(Files.isExecutable(tmp.resolve("inst/bin/hello")));
  }

  @Test
  void cleanBuildContinuesWhenMakeCleanFailsToo() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    Files.writeString(src.resolve("Makefile"), "distclean:\n\texit 3\nclean:\n\texit 4\n");
    TestStep s = new TestStep("hello", "autotools", src);
    s.cleanBuild = true;
    s.phasePrefix = tmp.resolve("inst").toString();
    LoggingCommandRunner cmds = commands();

    autotools.execute(s.context(cmds));

    assertTrue(cmds.logText().contains("WARN make clean failed (2); continuing"), cmds.logText());
    assertTrue(Files.isExecutable(tmp.resolve("inst/bin/hello")));
  }

  @Test
  void withoutCleanBuildNoCleanIsRun() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    Files.writeString(src.resolve("Makefile"), "distclean:\n\ttouch distclean-ran\n");
    TestStep s = new TestStep("hello", "autotools", src);
    s.phasePrefix = tmp.resolve("inst").toString();

    autotools.execute(s.context(commands()));

    assertFalse(Files.exists(src.resolve("distclean-ran")));
  }

  @Test
  void bumpsGeneratedFilesThatAreNotNewerThanConfigureAc() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    FileTime ac = FileTime.fromMillis(1_700_000_000_000L);
    Files.writeString(src.resolve("configure.ac"), "AC_INIT\n");
    Files.setLastModifiedTime(src.resolve("configure.ac"), ac);
    Files.writeString(src.resolve("Makefile.in"), "");
    Files.setLastModifiedTime(src.resolve("Makefile.in"), FileTime.fromMillis(ac.toMillis() - 100_000));
    Files.createDirectories(src.resolve("src"));
    Files.writeString(src.resolve("src/config.h.in"), "");
    Files.setLastModifiedTime(src.resolve("src/config.h.in"), ac);
    FileTime newer = FileTime.fromMillis(ac.toMillis() + 50_000);
    Files.writeString(src.resolve("aclocal.m4"), "");
    Files.setLastModifiedTime(src.resolve("aclocal.m4"), newer);
    Files.setLastModifiedTime(src.resolve("configure"), FileTime.fromMillis(ac.toMillis() - 5_000));
    TestStep s = new TestStep("hello", "autotools", src);
    s.phasePrefix = tmp.resolve("inst").toString();

    autotools.execute(s.context(commands()));

    long bumped = ac.toMillis() + 1000;
    assertEquals(bumped, Files.getLastModifiedTime(src.resolve("Makefile.in")).toMillis());
    assertEquals(bumped, Files.getLastModifiedTime(src.resolve("src/config.h.in")).toMillis());
    assertEquals(bumped, Files.getLastModifiedTime(src.resolve("configure")).toMillis());
    assertEquals(newer, Files.getLastModifiedTime(src.resolve("aclocal.m4")), "newer files stay untouched");
  }

  @Test
  void withoutConfigureButWithCMakeListsBuildsLikeCmakeProject() throws Exception {
    Path src = CPackages.cmakePackage(tmp.resolve("hello-cmake"));
    Path stage = tmp.resolve("stage");
    TestStep s = new TestStep("hello", "autotools", src);
    s.destdir = stage.toString();
    s.phasePrefix = tmp.resolve("usr").toString();
    LoggingCommandRunner cmds = commands();

    autotools.execute(s.context(cmds));

    assertEquals("hello 0", CPackages.run(Path.of(stage + s.phasePrefix + "/bin/hello")));
    assertTrue(cmds.commandLines().get(0).startsWith("cmake -S . -B build -DCMAKE_INSTALL_PREFIX=" + s.phasePrefix));
  }

  @Test
  void withNeitherConfigureNorCMakeListsFailsWithTheOldToolsMessage() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("empty"));
    TestStep s = new TestStep("empty", "autotools", src);

    StepFailedException e = assertThrows(StepFailedException.class, () -> autotools.execute(s.context(commands())));

    assertEquals("Unknown build strategy autotools and missing ./configure in " + src, e.getMessage());
    assertNull(e.command());
  }

  @Test
  void aFailingConfigureIsACommandFailureWithArgvAndExitCode() throws Exception {
    Path src = CPackages.autotoolsPackage(tmp.resolve("hello-1.0"));
    TestStep s = new TestStep("hello", "autotools", src);
    s.flags = List.of("--enable-bogus");
    LoggingCommandRunner cmds = commands();

    StepFailedException e = assertThrows(StepFailedException.class, () -> autotools.execute(s.context(cmds)));

    assertEquals("Command failed (1): ./configure --prefix=" + s.phasePrefix + " --enable-bogus", e.getMessage());
    assertEquals(List.of("./configure", "--prefix=" + s.phasePrefix, "--enable-bogus"), e.command());
    assertEquals(1, e.exitCode());
    assertTrue(cmds.logText().contains("unrecognized option: --enable-bogus"));
  }
}
