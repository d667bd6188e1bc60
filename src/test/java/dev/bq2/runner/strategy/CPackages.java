package dev.bq2.runner.strategy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/** Tiny C packages written by tests, built for real with gcc/make/cmake. */
final class CPackages {
  private CPackages() {}

  static final String HELLO_C = """
      #include <stdio.h>
      #ifndef EXTRA
      #define EXTRA 0
      #endif
      #ifndef GREETING
      #define GREETING "hello"
      #endif
      int main(void) { printf("%s %d\\n", GREETING, EXTRA); return 0; }
      """;

  /** A hand-written configure that honours --prefix, --with-greeting and CFLAGS from the env. */
  static final String CONFIGURE = """
      #!/bin/sh
      prefix=/usr/local
      greeting=hello
      for arg in "$@"; do
        case "$arg" in
          --prefix=*) prefix="${arg#--prefix=}" ;;
          --with-greeting=*) greeting="${arg#--with-greeting=}" ;;
          *) echo "configure: error: unrecognized option: $arg" >&2; exit 1 ;;
        esac
      done
      echo "configure: prefix=$prefix greeting=$greeting"
      {
        echo "PREFIX = $prefix"
        echo "GREETING = $greeting"
        cat Makefile.tmpl
      } > Makefile
      """;

  static final String MAKEFILE_TMPL = """
      CFLAGS ?= -O2
      all: hello
      hello: hello.c
      \t$(CC) $(CFLAGS) -DGREETING='"$(GREETING)"' -o hello hello.c
      install: hello
      \tmkdir -p $(DESTDIR)$(PREFIX)/bin
      \tcp hello $(DESTDIR)$(PREFIX)/bin/hello
      clean:
      \trm -f hello
      distclean: clean
      \trm -f Makefile
      """;

  static Path autotoolsPackage(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("hello.c"), HELLO_C);
    Files.writeString(dir.resolve("Makefile.tmpl"), MAKEFILE_TMPL);
    executable(dir.resolve("configure"), CONFIGURE);
    return dir;
  }

  static final String CMAKE_LISTS = """
      cmake_minimum_required(VERSION 3.13)
      project(hello C)
      add_executable(hello hello.c)
      install(TARGETS hello DESTINATION bin)
      """;

  static Path cmakePackage(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("hello.c"), HELLO_C);
    Files.writeString(dir.resolve("CMakeLists.txt"), CMAKE_LISTS);
    return dir;
  }

  static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs a built program and returns its trimmed stdout (fails the test on non-zero exit). */
  static String run(Path program) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(program.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError(program + " did not finish");
    if (p.exitValue() != 0) throw new AssertionError(program + " exited " + p.exitValue() + ": " + out);
    return out;
  }
}
