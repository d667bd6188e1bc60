package dev.bq2.rootfs;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection over whole fake trees built under a temp fs root. */
class ContextDetectorTest {
  @TempDir Path fs;
  Path cwd;
  Map<String, String> env = new HashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    cwd = Files.createDirectories(fs.resolve("home/u/proj"));
    env.put("HOME", "/home/u");
  }

  static Path plan(Path rootfs) throws Exception {
    Path p = rootfs.resolve("var/lib/sysroot-build-plan.json");
    Files.createDirectories(p.getParent());
    Files.writeString(p, "{\"format_version\": 2, \"phases\": []}\n");
    return p;
  }

  ContextDetector detector() {
    return new ContextDetector().fsRoot(fs).cwd(cwd).env(env);
  }

  @Test
  void eachCandidateWinsInTheSeedsOrder() throws Exception {
    Path repo = Files.createDirectories(fs.resolve("work/bootstrap-qcow2"));
    List<Path> rootfses = List.of(
        fs,
        fs.resolve("workspace/rootfs"),
        fs.resolve("work/bootstrap-qcow2/data/sysroot/rootfs"),
        cwd.resolve("data/sysroot/seed-rootfs/bq2-rootfs"),
        repo.resolve("data/sysroot/seed-rootfs/bq2-rootfs"));
    List<Path> plans = new java.util.ArrayList<>();
    for (Path r : rootfses) plans.add(plan(r));

    for (int i = 0; i < rootfses.size(); i++) {
      Context c = detector().detect();
      assertEquals(rootfses.get(i), c.rootfs(), "candidate " + i);
      assertEquals("detected", c.rootfsSource());
      assertEquals(i + 1, c.rootfsCandidates().size(), "checked up to the winner: " + c.rootfsCandidates());
      for (int j = 0; j < i; j++) assertFalse(c.rootfsCandidates().get(j).found());
      assertTrue(c.rootfsCandidates().get(i).found());
      assertEquals(plans.get(i), c.rootfsCandidates().get(i).plan());
      Files.delete(plans.get(i));
    }
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> detector().detect());
    assertEquals(2, e.exitCode());
    for (Path p : plans) assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("--rootfs DIR"), e.getMessage());
  }

  @Test
  void noneFoundListsEveryCandidateAndExits2() {
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> detector().detect());
    assertEquals(2, e.exitCode());
    assertFalse(e.getMessage().contains("\n"));
    for (String p : List.of("var/lib/sysroot-build-plan.json", "workspace/rootfs/var/lib",
        "work/bootstrap-qcow2/data/sysroot/rootfs/var/lib", "home/u/proj/data/sysroot/seed-rootfs/bq2-rootfs")) {
      assertTrue(e.getMessage().contains(fs.resolve(p).toString()), p + " in " + e.getMessage());
    }
  }

  @Test
  void rootfsFlagAndEnvWinOverDetection() throws Exception {
    plan(fs);
    Path mine = fs.resolve("elsewhere/rootfs");
    plan(mine);
    Path envRootfs = fs.resolve("from-env");
    plan(envRootfs);

    env.put("BQ2_ROOTFS", envRootfs.toString());
    Context byEnv = detector().detect();
    assertEquals(envRootfs, byEnv.rootfs());
    assertEquals("BQ2_ROOTFS", byEnv.rootfsSource());
    assertEquals(1, byEnv.rootfsCandidates().size());

    Context byFlag = detector().rootfs(mine).detect();
    assertEquals(mine, byFlag.rootfs());
    assertEquals("--rootfs", byFlag.rootfsSource());

    Context relative = detector().rootfs(Path.of("../../../elsewhere/rootfs")).detect();
    assertEquals(mine, relative.rootfs());

    Bq2Exception e = assertThrows(Bq2Exception.class, () -> detector().rootfs(fs.resolve("nothing")).detect());
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("--rootfs "), e.getMessage());
    assertTrue(e.getMessage().contains(fs.resolve("nothing/var/lib/sysroot-build-plan.json").toString()), e.getMessage());
  }

  @Test
  void seedClassification() throws Exception {
    Path r = fs.resolve("r");
    plan(r);
    assertEquals(SeedKind.UNKNOWN, detector().rootfs(r).detect().seedKind());
    Files.createDirectories(r.resolve("opt/sysroot/bin"));
    Files.writeString(r.resolve("opt/sysroot/bin/clang"), "");
    assertEquals(SeedKind.SEED, detector().rootfs(r).detect().seedKind());
    Files.createDirectories(r.resolve("usr/bin"));
    // An absolute symlink dangles outside the real root; it still counts.
    Files.createSymbolicLink(r.resolve("usr/bin/clang"), Path.of("/usr/lib/llvm-18/bin/clang-does-not-exist"));
    Context c = detector().rootfs(r).detect();
    assertEquals(SeedKind.INNER, c.seedKind());
    assertTrue(String.join("\n", c.describe()).contains("inner bq2 rootfs"));
  }

  @Test
  void repoDetectionOrderGlobAndHome() throws Exception {
    plan(fs);
    assertNull(detector().detect().repo());
    Path home = Files.createDirectories(fs.resolve("home/u/workspace/bootstrap-qcow2"));
    assertEquals(home, detector().detect().repo());
    Path v2 = Files.createDirectories(fs.resolve("workspace/bootstrap-qcow2-0.4.1"));
    Path v1 = Files.createDirectories(fs.resolve("workspace/bootstrap-qcow2-0.3.9"));
    assertEquals(v1, detector().detect().repo(), "glob matches sorted");
    Path ws = Files.createDirectories(fs.resolve("workspace/bootstrap-qcow2"));
    assertEquals(ws, detector().detect().repo());
    Path work = Files.createDirectories(fs.resolve("work/bootstrap-qcow2"));
    Context c = detector().detect();
    assertEquals(work, c.repo());
    assertEquals(1, c.repoCandidates().size());

    Path given = Files.createDirectories(fs.resolve("my/repo"));
    assertEquals(given, detector().repo(given).detect().repo());
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> detector().repo(fs.resolve("nope")).detect());
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("--repo "), e.getMessage());
    assertTrue(v2.toFile().isDirectory());
  }

  @Test
  void repoToolsWinWhenExecutableElseOurs() throws Exception {
    Path repo = Files.createDirectories(fs.resolve("work/bootstrap-qcow2"));
    Path rootfs = repo.resolve("data/sysroot/seed-rootfs/bq2-rootfs");
    plan(rootfs);
    Path bin = Files.createDirectories(repo.resolve("bin"));
    Path runner = Files.writeString(bin.resolve("sysroot-runner"), "#!/bin/sh\n");
    Path status = Files.writeString(bin.resolve("sysroot-status"), "#!/bin/sh\n");

    Context ours = detector().detect();
    assertEquals(rootfs, ours.rootfs());
    assertEquals(ToolCommand.Kind.OURS, ours.runner().kind(), "not executable: ours");
    List<String> argv = ours.runnerArgv("seed-phase");
    assertTrue(argv.contains("dev.bq2.cli.Bq2") || argv.contains("-jar"), argv.toString());
    assertTrue(argv.containsAll(List.of("sysroot-runner", "--plan", rootfs.resolve("var/lib/sysroot-build-plan.json").toString(),
        "--state-path", "--overrides", "--report-dir", "--phase", "seed-phase")), argv.toString());
    assertEquals("seed-phase", argv.get(argv.size() - 1));

    for (Path p : List.of(runner, status)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    Context theirs = detector().detect();
    assertEquals(ToolCommand.Kind.REPO, theirs.runner().kind());
    assertEquals(List.of(runner.toString(), "--workdir=" + repo.resolve("data/sysroot"), "--phase", "p1"), theirs.runnerArgv("p1"));
    assertEquals(List.of(status.toString(), "--workdir=" + repo.resolve("data/sysroot")), theirs.statusArgv());
    assertEquals(repo, theirs.toolCwd(), "the existing tool starts where data/sysroot is");

    Context given = detector().runner("/opt/x/run --verbose").statusCommand("st").detect();
    assertEquals(ToolCommand.Kind.GIVEN, given.runner().kind());
    assertEquals(List.of("/opt/x/run", "--verbose"), given.runner().argv());
    assertEquals("st", given.statusArgv().get(0));
    assertTrue(given.statusArgv().contains("--state-path"));
  }
}
