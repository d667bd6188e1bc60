package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.runner.StepFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** makefile-classic, linux-headers and busybox: packages driven by their own Makefiles. */
class MakeStrategiesTest {
  @TempDir Path tmp;

  LoggingCommandRunner commands() {
    return new LoggingCommandRunner(tmp.resolve("step.log"));
  }

  static final String MAKEFILE_BQ2 = """
      all: libgreet.a
      libgreet.a: greet.o
      \tar rcs $@ greet.o
      greet.o: greet.c greet.h
      \t$(CC) -c -o $@ greet.c
      install: libgreet.a
      \tmkdir -p $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
      \tcp libgreet.a $(DESTDIR)$(PREFIX)/lib/
      \tcp greet.h $(DESTDIR)$(PREFIX)/include/
      """;

  @Test
  void makefileClassicBuildsAndInstallsALibraryIntoDestdir() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("greet-1.0"));
    Files.writeString(src.resolve("greet.h"), "const char *greet(void);\n");
    Files.writeString(src.resolve("greet.c"), "#include \"greet.h\"\nconst char *greet(void) { return \"classic\"; }\n");
    Files.writeString(src.resolve("Makefile.bq2"), MAKEFILE_BQ2);
    Path stage = tmp.resolve("stage");
    TestStep s = new TestStep("greet", "makefile-classic", src);
    s.destdir = stage.toString();
    s.env.put("PREFIX", tmp.resolve("usr").toString());
    Path staged = Path.of(stage + tmp.resolve("usr").toString());
    LoggingCommandRunner cmds = commands();

    Strategies.find("makefile-classic").orElseThrow().execute(s.context(cmds));

    assertEquals(List.of("make -f Makefile.bq2 -j2", "make -f Makefile.bq2 DESTDIR=" + stage + " install"),
        cmds.commandLines());
    // Link a program against what was installed, to prove the staged library is usable.
    Path main = tmp.resolve("main.c");
    Files.writeString(main, "#include <stdio.h>\n#include <greet.h>\nint main(void){puts(greet());return 0;}\n");
    Path exe = tmp.resolve("main");
    Process cc = new ProcessBuilder("gcc", "-I" + staged.resolve("include"), "-o", exe.toString(), main.toString(),
        "-L" + staged.resolve("lib"), "-lgreet").inheritIO().start();
    assertEquals(0, cc.waitFor());
    assertEquals("classic", CPackages.run(exe));
  }

  @Test
  void makefileClassicWithoutDestdirRunsPlainInstall() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("x"));
    Files.writeString(src.resolve("Makefile.bq2"), "all:\n\ttouch built\ninstall:\n\ttouch installed-$(DESTDIR)none\n");
    TestStep s = new TestStep("x", "makefile-classic", src);
    LoggingCommandRunner cmds = commands();

    Strategies.find("makefile-classic").orElseThrow().execute(s.context(cmds));

    assertEquals("make -f Makefile.bq2 install", cmds.commandLines().get(1));
    assertTrue(Files.exists(src.resolve("installed-none")));
  }

  @Test
  void makefileClassicWithoutMakefileBq2Fails() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("nothing"));
    TestStep s = new TestStep("x", "makefile-classic", src);

    StepFailedException e = assertThrows(StepFailedException.class,
        () -> Strategies.find("makefile-classic").orElseThrow().execute(s.context(commands())));

    assertEquals("Missing Makefile.bq2 in " + src, e.getMessage());
  }

  @Test
  void linuxHeadersRunsHeadersWithFlagsAndCopiesUsrInclude() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("linux-6.8"));
    Files.writeString(src.resolve("Makefile"), """
        headers:
        \tmkdir -p usr/include/linux
        \techo '#define BQ2_ARCH "$(ARCH)"' > usr/include/linux/version.h
        """);
    Path stage = tmp.resolve("rootfs");
    TestStep s = new TestStep("linux-headers", "linux-headers", src);
    s.flags = List.of("ARCH=x86");
    s.phaseDestdir = stage.toString();
    s.phasePrefix = tmp.resolve("usr").toString();
    LoggingCommandRunner cmds = commands();

    Strategies.find("linux-headers").orElseThrow().execute(s.context(cmds));

    assertEquals("make ARCH=x86 headers", cmds.commandLines().get(0));
    assertEquals("#define BQ2_ARCH \"x86\"\n", Files.readString(Path.of(stage + s.phasePrefix + "/include/linux/version.h")));
  }

  @Test
  void busyboxUsesDefconfigTheKconfigToolAndConfigPrefixOfTheDestdir() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("busybox-1.36"));
    Files.writeString(src.resolve("busybox.c"), "#include <stdio.h>\nint main(void){puts(\"bb\");return 0;}\n");
    Files.writeString(src.resolve("Makefile"), """
        all: busybox
        busybox: busybox.c .config
        \t$(CC) -o busybox busybox.c
        defconfig:
        \tprintf 'CONFIG_STATIC_LIBGCC=y\\nCONFIG_ASH=y\\n' > .config
        silentoldconfig:
        \ttouch oldconfig-ran
        install: busybox
        \tmkdir -p $(CONFIG_PREFIX)/bin
        \tcp busybox $(CONFIG_PREFIX)/bin/busybox
        """);
    Path tool = tmp.resolve("kconfig-tool");
    CPackages.executable(tool, """
        #!/bin/sh
        # usage: kconfig-tool --file F --disable SYM
        grep -v "^CONFIG_$4=" "$2" > "$2.new"; echo "# CONFIG_$4 is not set" >> "$2.new"; mv "$2.new" "$2"
        """);
    Path stage = tmp.resolve("rootfs");
    TestStep s = new TestStep("busybox", "busybox", src);
    s.phaseDestdir = stage.toString();
    s.env.put("BQ2_KCONFIG_CONFIG_TOOL", tool.toString());
    LoggingCommandRunner cmds = commands();

    Strategies.find("busybox").orElseThrow().execute(s.context(cmds));

    assertEquals(List.of("make defconfig", tool + " --file .config --disable STATIC_LIBGCC", "make silentoldconfig",
        "make -j2", "make CONFIG_PREFIX=" + stage + " install"), cmds.commandLines());
    String config = Files.readString(src.resolve(".config"));
    assertTrue(config.contains("# CONFIG_STATIC_LIBGCC is not set") && config.contains("CONFIG_ASH=y"), config);
    assertEquals("bb", CPackages.run(stage.resolve("bin/busybox")), "installed under the destdir, not destdir+prefix");
  }

  @Test
  void busyboxWithoutKconfigToolWarnsAndInstallsIntoThePrefix() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("busybox-1.36"));
    Files.writeString(src.resolve("Makefile"), """
        all:
        \ttouch built
        defconfig:
        \ttouch .config
        install:
        \tmkdir -p $(CONFIG_PREFIX)/bin && touch $(CONFIG_PREFIX)/bin/busybox
        """);
    TestStep s = new TestStep("busybox", "busybox", src);
    s.phasePrefix = tmp.resolve("prefix").toString();
    LoggingCommandRunner cmds = commands();

    Strategies.find("busybox").orElseThrow().execute(s.context(cmds));

    assertTrue(Files.exists(tmp.resolve("prefix/bin/busybox")));
    assertTrue(cmds.logText().contains("WARN BQ2_KCONFIG_CONFIG_TOOL"), cmds.logText());
  }
}
