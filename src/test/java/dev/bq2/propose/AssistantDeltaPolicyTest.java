package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9 item 7: what an assistant's delta may set; each refused case was accepted before. */
class AssistantDeltaPolicyTest {
  @TempDir Path tmp;

  static Proposal env(String key, String value) {
    return new Proposal("p", "s", List.of(), Map.of(key, value), List.of(), null, null, "r", false);
  }

  static Proposal flag(String f) {
    return new Proposal("p", "s", List.of(f), Map.of(), List.of(), null, null, "r", false);
  }

  static String refused(Proposal p) {
    List<String> why = AssistantDeltaPolicy.check(p);
    assertFalse(why.isEmpty(), () -> "should be refused: " + p.summary());
    return String.join("; ", why);
  }

  @Test
  void environmentThatExecutesIsRefused() {
    assertTrue(refused(env("PATH", "/tmp/evil:$PATH")).contains("not one an assistant may set"));
    assertTrue(refused(env("MAKEFLAGS", "--eval=$(shell touch /tmp/pwned)")).contains("expansion"));
    assertTrue(refused(env("MAKEFLAGS", "--eval=all:")).contains("not a documented make option"));
    assertTrue(refused(env("CFLAGS", "-O2 `touch /tmp/pwned`")).contains("expansion"));
    assertTrue(refused(env("CFLAGS", "-O2 $$(touch /tmp/pwned)")).contains("expansion"));
    assertTrue(refused(env("CFLAGS", "-O2; touch x")).contains("expansion"));
    assertTrue(refused(env("CFLAGS", "-O2 > /etc/x")).contains("expansion"));
    for (String k : List.of("GLIBC_TUNABLES", "TMPDIR", "PERLLIB", "CONFIG_SITE", "LD_PRELOAD", "SHELL", "MAKESHELL")) {
      assertTrue(refused(env(k, "x")).contains("env key " + k), k);
    }
    assertTrue(refused(flag("CFLAGS=$(shell id)")).contains("configure flag"));
    assertTrue(refused(flag("--with-x=`id`")).contains("configure flag"));
  }

  @Test
  void whatBuildsNeedIsAllowed() {
    for (Proposal p : List.of(env("CFLAGS", "-O2 -fcommon"), env("CPPFLAGS", "-D_GNU_SOURCE -I/opt/x/include"),
        env("LIBS", "-lm"), env("PKG_CONFIG_PATH", "/opt/sysroot/lib/pkgconfig"),
        env("ac_cv_func_malloc_0_nonnull", "yes"), env("gl_cv_func_working_mktime", "yes"),
        env("MAKEFLAGS", "-j1 V=1 --no-print-directory"), env("CC", "aarch64-linux-gnu-gcc"),
        env("CC", "/usr/bin/gcc -m64"), env("MAKEINFO", "true"), flag("--disable-werror"), flag("--host=aarch64-linux-gnu"),
        flag("ac_cv_func_malloc_0_nonnull=yes"))) {
      assertEquals(List.of(), AssistantDeltaPolicy.check(p), p.summary());
    }
  }

  @Test
  void aToolUnderAWorldWritableDirectoryIsRefused() throws Exception {
    Path open = Files.createDirectories(tmp.resolve("open/bin"));
    Files.setPosixFilePermissions(tmp.resolve("open"), PosixFilePermissions.fromString("rwxrwxrwx"));
    Path closed = Files.createDirectories(tmp.resolve("closed/bin"));
    Files.setPosixFilePermissions(tmp.resolve("closed"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
    assertTrue(refused(env("CC", open.resolve("gcc").toString())).contains("world-writable"));
    assertEquals(List.of(), AssistantDeltaPolicy.check(env("CC", closed.resolve("gcc").toString())));
    assertTrue(refused(env("CC", "./gcc")).contains("relative path"));
  }
}
