package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bq2.namespace.Bind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path mapping between a bq2 view and the host (docs/formats.md#upstream-formats). */
class RootViewTest {
  @TempDir Path tmp;

  @Test
  void plansPathsMapUnderTheRootOrThroughBindsAndBack() throws Exception {
    Path seed = Files.createDirectories(tmp.resolve("hw/seed-rootfs"));
    Path b = Files.createDirectories(seed.resolve("bq2-rootfs"));
    Path sysroot = Files.createDirectories(seed.resolve("opt/sysroot"));
    RootView v = new RootView("bq2", b, List.of(new Bind(sysroot, "/opt/sysroot")));

    assertEquals(b.resolve("etc/motd"), v.hostPath("/etc/motd", b));
    assertEquals(sysroot.resolve("bin/clang"), v.hostPath("/opt/sysroot/bin/clang", b));
    assertEquals(sysroot, v.hostPath("/opt/sysroot", b));
    assertEquals(b.resolve("opt/sysroot2"), v.hostPath("/opt/sysroot2", b), "only whole path components");
    assertEquals(b.resolve("workspace/x/build"), v.hostPath("build", b.resolve("workspace/x")));
    assertEquals(b.resolve("etc"), v.hostPath("/../etc", b), "cannot climb out of the root");

    assertEquals("/workspace/x", v.insidePath(b.resolve("workspace/x")));
    assertEquals("/", v.insidePath(b));
    assertEquals("/opt/sysroot/lib", v.insidePath(sysroot.resolve("lib")));
    assertNull(v.insidePath(tmp.resolve("elsewhere")));

    assertEquals(List.of("cp", "-a", ".", "/usr/share/x", "DESTDIR=/stage", "-C", "/", b + "2/y", "--prefix=/opt/sysroot/z"),
        v.insideArgv(List.of("cp", "-a", ".", b + "/usr/share/x", "DESTDIR=" + b + "/stage", "-C", b.toString(),
            b + "2/y", "--prefix=" + sysroot + "/z")));
  }
}
