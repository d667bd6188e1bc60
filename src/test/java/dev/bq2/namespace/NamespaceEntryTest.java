package dev.bq2.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running commands inside a real busybox rootfs, and naming the checks that block entry. */
class NamespaceEntryTest {
  @TempDir Path tmp;

  private record Run(int rc, String out) {}

  private static Run run(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  @Test
  void commandRunsInsideTheRootfsWithBindsFreshTmpAndClearedEnv() throws Exception {
    Path rootfs = Rootfs.create(tmp.resolve("rootfs"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("hello.txt"), "from the host\n");
    Files.writeString(tmp.resolve("host-tmp-marker"), "x");
    NamespaceEntry entry = NamespaceEntry.builder(rootfs).bind(src, "/workspace/src").env("GREETING", "hi")
        .workdir("/workspace/src").build();
    entry.probe();
    Run r = run(entry.wrap(List.of("sh", "-c",
        "pwd; cat /etc/rootfs-id; cat hello.txt; ls /.bq2-rootfs; echo \"$GREETING:$HOME\"; ls /tmp | wc -l; "
            + "echo made > /workspace/src/out.txt; exit 7")));
    assertEquals(7, r.rc(), r.out());
    assertEquals(List.of("/workspace/src", "minimal busybox rootfs", "from the host", "/.bq2-rootfs", "hi:", "0"),
        r.out().strip().lines().toList(), r.out());
    assertEquals("made\n", Files.readString(src.resolve("out.txt")), "binds are writable through");
    assertFalse(Files.exists(Path.of("/.bq2-rootfs")), "precondition: the marker exists only inside");
  }

  @Test
  void unprivilegedEntryUsesAUserNamespace() throws Exception {
    Path rootfs = Rootfs.create(tmp.resolve("rootfs"));
    NamespaceEntry entry = NamespaceEntry.builder(rootfs).privileged(false).build();
    assertTrue(entry.wrap(List.of("true")).containsAll(List.of("--user", "--map-root-user")));
    Run r = run(entry.wrap(List.of("sh", "-c", "cat /etc/rootfs-id; id -u")));
    assertEquals(0, r.rc(), r.out());
    assertEquals(List.of("minimal busybox rootfs", "0"), r.out().strip().lines().toList());
  }

  @Test
  void missingRootfsIsBadInput() {
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> NamespaceEntry.builder(tmp.resolve("nope")).build());
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("Workspace rootfs missing at"));
    // The command it suggests is one of ours (it once said `bq2 sysroot`, which does not exist).
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("`bq2 ([a-z-]+)").matcher(e.getMessage());
    assertTrue(m.find(), e.getMessage());
    assertTrue(dev.bq2.cli.Bq2.commandLine().getSubcommands().containsKey(m.group(1)), e.getMessage());
  }

  @Test
  void failedBindEndsWithSetupExitCode() throws Exception {
    Path rootfs = Rootfs.create(tmp.resolve("rootfs"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    // A bind target through a regular file cannot be created.
    NamespaceEntry entry = NamespaceEntry.builder(rootfs).bind(src, "/etc/rootfs-id/sub").build();
    Run r = run(entry.wrap(List.of("true")));
    assertEquals(NamespaceEntry.SETUP_FAILED, r.rc(), r.out());
    assertTrue(r.out().contains("bq2-namespace: bind " + src + " -> /etc/rootfs-id/sub failed"), r.out());
    Bq2Exception e = assertThrows(Bq2Exception.class, entry::probe);
    assertEquals(3, e.exitCode());
    assertTrue(e.getMessage().contains("Not running outside the rootfs."), e.getMessage());
  }

  @Test
  void checksNameEachRestrictionAndItsFix() throws Exception {
    Path proc = tmp.resolve("proc");
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.createDirectories(proc.resolve("self/attr"));
    Files.writeString(proc.resolve("sys/kernel/unprivileged_userns_clone"), "0\n");
    Files.writeString(proc.resolve("sys/kernel/apparmor_restrict_unprivileged_userns"), "1\n");
    Files.writeString(proc.resolve("self/attr/current"), "docker-default (enforce)\n");
    Files.writeString(proc.resolve("self/status"), "Name:\tjava\nNoNewPrivs:\t1\nSeccomp:\t2\n");
    Files.writeString(proc.resolve("filesystems"), "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n");
    Files.writeString(proc.resolve("self/mountinfo"), "30 25 0:5 / /dev rw,nosuid,nodev,noexec - devtmpfs udev rw\n");
    List<NamespaceCheck.Problem> problems = NamespaceCheck.run(proc, true);
    List<String> checks = problems.stream().map(NamespaceCheck.Problem::check).toList();
    assertEquals(List.of("unprivileged user namespaces", "AppArmor", "AppArmor", "NoNewPrivs", "seccomp", "nodev /dev"), checks);
    assertTrue(problems.get(0).fix().contains("sysctl -w kernel.unprivileged_userns_clone=1"));
    assertEquals(List.of("AppArmor", "NoNewPrivs", "seccomp", "nodev /dev"),
        NamespaceCheck.run(proc, false).stream().map(NamespaceCheck.Problem::check).toList(), "root needs no userns");
    Path rootfs = Rootfs.create(tmp.resolve("rootfs"));
    String msg = NamespaceEntry.builder(rootfs).privileged(false).build().explain("unshare: Operation not permitted", problems);
    assertTrue(msg.contains("unshare: Operation not permitted; failed checks: unprivileged user namespaces"), msg);
  }
}
