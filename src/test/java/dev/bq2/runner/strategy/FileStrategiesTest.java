package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.runner.StepFailedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** write-file, symlink, copy-tree, remove-tree, prepare-rootfs, tarball and shell. */
class FileStrategiesTest {
  @TempDir Path tmp;

  LoggingCommandRunner commands() {
    return new LoggingCommandRunner(tmp.resolve("step.log"));
  }

  /** An absolute "system" path that is really inside the temp dir (tests may run as root). */
  String sys(String path) {
    return tmp.resolve("sys").toString() + path;
  }

  void run(TestStep s) throws Exception {
    Strategies.find(s.strategy).orElseThrow().execute(s.context(commands()));
  }

  StepFailedException fails(TestStep s) {
    return assertThrows(StepFailedException.class, () -> run(s));
  }

  @Test
  void writeFileWritesContentUnderTheDestdirCreatingParents() throws Exception {
    TestStep s = new TestStep("os-release", "write-file", tmp);
    s.installPrefix = sys("/etc/os-release");
    s.phaseDestdir = tmp.resolve("rootfs").toString();
    s.content = "NAME=bq2\n";
    run(s);
    assertEquals("NAME=bq2\n", Files.readString(Path.of(tmp.resolve("rootfs") + sys("/etc/os-release"))));
  }

  @Test
  void writeFileFallsBackToEnvContentAndNamesMissingFields() throws Exception {
    TestStep s = new TestStep("f", "write-file", tmp);
    s.installPrefix = tmp.resolve("out/f.txt").toString();
    s.env.put("CONTENT", "from env");
    run(s);
    assertEquals("from env", Files.readString(tmp.resolve("out/f.txt")));

    TestStep noPath = new TestStep("f", "write-file", tmp);
    noPath.content = "x";
    assertEquals("write-file requires step.install_prefix (file path)", fails(noPath).getMessage());
    TestStep noContent = new TestStep("f", "write-file", tmp);
    noContent.installPrefix = "/x";
    assertEquals("write-file requires env CONTENT", fails(noContent).getMessage());
  }

  @Test
  void symlinkReplacesWhateverIsAtTheLinkPath() throws Exception {
    Path rootfs = tmp.resolve("rootfs");
    Path link = Path.of(rootfs + sys("/usr/lib/libatomic.so"));
    Files.createDirectories(link.resolve("old"));
    TestStep s = new TestStep("link", "symlink", tmp);
    s.installPrefix = sys("/usr/lib/libatomic.so");
    s.destdir = rootfs.toString();
    s.content = "libatomic.so.1";
    run(s);
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(Path.of("libatomic.so.1"), Files.readSymbolicLink(link), "target kept verbatim (relative)");

    TestStep noTarget = new TestStep("link", "symlink", tmp);
    noTarget.installPrefix = "/x";
    assertEquals("symlink requires content (source path)", fails(noTarget).getMessage());
    TestStep noPath = new TestStep("link", "symlink", tmp);
    noPath.content = "y";
    assertEquals("symlink requires step.install_prefix (destination)", fails(noPath).getMessage());
  }

  @Test
  void copyTreeCopiesTheWorkdirKeepingModesAndLinks() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("tree/bin"));
    CPackages.executable(src.resolve("tool"), "#!/bin/sh\necho tool\n");
    Files.createSymbolicLink(src.resolve("alias"), Path.of("tool"));
    TestStep s = new TestStep("copy", "copy-tree", tmp.resolve("tree"));
    s.installPrefix = sys("/opt/tree");
    s.destdir = tmp.resolve("rootfs").toString();
    run(s);
    Path dest = Path.of(tmp.resolve("rootfs") + sys("/opt/tree/bin"));
    assertEquals("tool", CPackages.run(dest.resolve("tool")));
    assertEquals(Path.of("tool"), Files.readSymbolicLink(dest.resolve("alias")));

    TestStep noPath = new TestStep("copy", "copy-tree", tmp.resolve("tree"));
    assertEquals("copy-tree requires step.install_prefix (destination path)", fails(noPath).getMessage());
  }

  @Test
  void removeTreeRemovesUnderTheDestdirWithoutFollowingSymlinks() throws Exception {
    Path keep = Files.createDirectories(tmp.resolve("keep"));
    Files.writeString(keep.resolve("precious"), "x");
    Path doomed = Files.createDirectories(Path.of(tmp.resolve("rootfs") + sys("/usr/share/doc/pkg")));
    Files.writeString(doomed.resolve("README"), "x");
    Files.createSymbolicLink(doomed.resolve("link-out"), keep);
    Path work = Files.createDirectories(tmp.resolve("work"));
    TestStep s = new TestStep("rm", "remove-tree", work);
    s.installPrefix = sys("/usr/share/doc");
    s.phaseDestdir = tmp.resolve("rootfs").toString();
    run(s);
    assertFalse(Files.exists(doomed.getParent(), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(doomed.getParent().getParent()));
    assertTrue(Files.exists(keep.resolve("precious")), "symlinked target outside the tree survives");
    // Removing something absent is fine (rm -rf).
    run(s);
  }

  @Test
  void removeTreeRefusesRootAndEmptyAndAncestorsOfTheWorkdir() throws Exception {
    TestStep root = new TestStep("rm", "remove-tree", tmp);
    root.installPrefix = "/";
    assertEquals("Refusing to remove /", fails(root).getMessage());
    TestStep empty = new TestStep("rm", "remove-tree", tmp);
    empty.installPrefix = "";
    assertEquals("Refusing to remove ", fails(empty).getMessage());
    TestStep dots = new TestStep("rm", "remove-tree", tmp);
    dots.installPrefix = "/./";
    assertTrue(fails(dots).getMessage().startsWith("Refusing to remove /"));
    TestStep parent = new TestStep("rm", "remove-tree", tmp);
    parent.installPrefix = tmp.getParent().toString();
    assertTrue(fails(parent).getMessage().contains("contains the workdir"));
    assertTrue(Files.isDirectory(tmp));
    TestStep none = new TestStep("rm", "remove-tree", tmp);
    assertEquals("remove-tree requires step.install_prefix (path to remove)", fails(none).getMessage());
  }

  @Test
  void prepareRootfsWritesNumberedFilePairs() throws Exception {
    TestStep s = new TestStep("prep", "prepare-rootfs", tmp);
    s.phaseDestdir = tmp.resolve("rootfs").toString();
    s.env.put("FILE_0_PATH", sys("/etc/hosts"));
    s.env.put("FILE_0_CONTENT", "127.0.0.1 localhost\n");
    s.env.put("FILE_1_PATH", sys("/.bq2-rootfs"));
    s.env.put("FILE_1_CONTENT", "");
    run(s);
    assertEquals("127.0.0.1 localhost\n", Files.readString(Path.of(tmp.resolve("rootfs") + sys("/etc/hosts"))));
    assertTrue(Files.exists(Path.of(tmp.resolve("rootfs") + sys("/.bq2-rootfs"))));

    TestStep none = new TestStep("prep", "prepare-rootfs", tmp);
    assertEquals("prepare-rootfs wrote no files", fails(none).getMessage());
    TestStep half = new TestStep("prep", "prepare-rootfs", tmp);
    half.env.put("FILE_0_PATH", "/x");
    assertEquals("prepare-rootfs requires FILE_0_CONTENT", fails(half).getMessage());
  }

  @Test
  void tarballPacksTheDestdirRootWithoutPseudoAndStateDirectories() throws Exception {
    Path rootfs = tmp.resolve("rootfs");
    for (String d : List.of("usr/bin", "proc/1", "sys/x", "dev", "tmp/t", "workspace/src", "var/lib/state",
        "var/log", "etc")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    CPackages.executable(rootfs.resolve("usr/bin/hello"), "#!/bin/sh\n");
    Files.writeString(rootfs.resolve("var/lib/state/sysroot-build-state.json"), "{}");
    Files.writeString(rootfs.resolve("var/log/messages"), "log");
    Files.writeString(rootfs.resolve("etc/hosts"), "h");
    Files.writeString(rootfs.resolve(".bq2-rootfs"), "");
    Files.writeString(rootfs.resolve("proc/1/status"), "p");
    Path out = tmp.resolve("out/bq2-rootfs-1.tar.gz");
    TestStep s = new TestStep("rootfs-tarball", "tarball", Path.of("/"));
    s.workdir = "/";
    s.installPrefix = out.toString();
    s.phaseDestdir = rootfs.toString();
    run(s);

    Process tar = new ProcessBuilder("tar", "-tzf", out.toString()).redirectErrorStream(true).start();
    Set<String> entries = Arrays.stream(new String(tar.getInputStream().readAllBytes()).split("\n"))
        .map(e -> e.replaceAll("/$", "")).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(0, tar.waitFor());
    assertTrue(entries.containsAll(Set.of("./usr/bin/hello", "./etc/hosts", "./var/log/messages", "./var")), entries.toString());
    for (String gone : List.of("./proc", "./proc/1/status", "./sys", "./dev", "./tmp", "./workspace", "./var/lib",
        "./var/lib/state/sysroot-build-state.json", "./.bq2-rootfs")) {
      assertFalse(entries.contains(gone), gone + " must be excluded: " + entries);
    }
  }

  @Test
  void tarballNamesMissingSourceAndMissingOutput() throws Exception {
    TestStep s = new TestStep("t", "tarball", tmp);
    s.installPrefix = tmp.resolve("o.tar.gz").toString();
    s.destdir = tmp.resolve("no-such-rootfs").toString();
    assertEquals("Missing tarball source " + tmp.resolve("no-such-rootfs") + tmp, fails(s).getMessage());
    TestStep noOut = new TestStep("t", "tarball", tmp);
    assertEquals("tarball requires step.install_prefix (output path)", fails(noOut).getMessage());
  }

  @Test
  void shellRunsContentWithShMinusEAndStopsAtTheFirstFailure() throws Exception {
    TestStep s = new TestStep("sh", "shell", tmp);
    s.env.put("WHO", "step-env");
    s.content = "echo \"$WHO\" > who.txt\nfalse\necho after > after.txt\n";
    LoggingCommandRunner cmds = commands();
    StepFailedException e = assertThrows(StepFailedException.class,
        () -> Strategies.find("shell").orElseThrow().execute(s.context(cmds)));
    assertEquals(1, e.exitCode());
    assertEquals("step-env\n", Files.readString(tmp.resolve("who.txt")));
    assertFalse(Files.exists(tmp.resolve("after.txt")), "-e stops at the failing command");
  }

  @Test
  void registryKnowsTheCatalogueAndNothingElse() {
    assertTrue(Strategies.names().containsAll(List.of("autotools", "cmake", "cmake-project", "makefile-classic",
        "write-file", "symlink", "copy-tree", "remove-tree", "tarball", "download-sources", "extract-sources",
        "shell", "linux-headers", "busybox", "prepare-rootfs", "populate-seed", "prefetch-shards",
        "crystal-compiler", "crystal-build", "crystal", "apk-add", "alpine-setup")));
    assertTrue(Strategies.find("no-such-strategy").isEmpty(), "unknown names are not routed to autotools");
  }

}
