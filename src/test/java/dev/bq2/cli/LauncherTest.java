package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real `bin/bq2` sh launcher, copied into a temp project. A test run has no packaged jar,
 * so a stand-in `java` first on PATH records the launcher's argv and then runs the real JVM on
 * the test class path in place of `-jar target/bq2.jar`, keeping the launcher's `-D` options:
 * everything from the symlink to the subcommand's output is real.
 */
class LauncherTest {
  @TempDir Path dir;
  Path proj;
  Path fakeBin;
  Path argvFile;
  Path rootfs;

  static final String FAKE_JAVA = """
      #!/bin/bash
      # Stands in for java: records the launcher's argv, then runs the real JVM on the test
      # class path instead of the packaged jar (keeping the launcher's -D options).
      printf '%s\\n' "$@" > "$BQ2_TEST_ARGV"
      [ -n "${BQ2_TEST_NO_JVM:-}" ] && exit 0
      opts=()
      while [ $# -gt 0 ]; do
        case $1 in
          -D*|-XX:TieredStopAtLevel=1|-XX:+UseSerialGC) opts+=("$1"); shift ;;
          -jar) shift 2; break ;;
          *) shift ;;
        esac
      done
      exec "$BQ2_TEST_JAVA" "${opts[@]}" -cp "$BQ2_TEST_CP" dev.bq2.cli.Bq2 "$@"
      """;

  /** Stands in for mvn: records that a build was asked for and "builds" the jar. */
  static final String FAKE_MVN = """
      #!/bin/sh
      echo "mvn $*" >> "$BQ2_TEST_MVN_LOG"
      mkdir -p target && echo jar > target/bq2.jar
      """;

  record Result(int exit, String out, String err) {}

  @BeforeEach
  void project() throws IOException {
    proj = dir.resolve("proj");
    Files.createDirectories(proj.resolve("bin"));
    Files.createDirectories(proj.resolve("target"));
    Path launcher = Path.of("bin/bq2").toAbsolutePath();
    assertTrue(Files.isRegularFile(launcher), "run from the project directory: " + launcher);
    Files.copy(launcher, proj.resolve("bin/bq2"));
    executable(proj.resolve("bin/bq2"));
    Files.writeString(proj.resolve("target/bq2.jar"), "stands in for the packaged jar\n");
    fakeBin = dir.resolve("fakebin");
    Files.createDirectories(fakeBin);
    Files.writeString(fakeBin.resolve("java"), FAKE_JAVA);
    executable(fakeBin.resolve("java"));
    argvFile = dir.resolve("java-argv");

    rootfs = Bq2Child.rootfs(dir.resolve("rootfs"), dir, "echo built > touched");
  }

  @Test
  @Timeout(60)
  void aSymlinkNamedSysrootStatusRunsThatCommandBusyboxStyle() throws Exception {
    Path links = dir.resolve("links");
    Files.createDirectories(links);
    Files.createSymbolicLink(links.resolve("sysroot-status"), Path.of("../proj/bin/bq2"));

    Result r = sh(links.resolve("sysroot-status").toString(), "--rootfs", rootfs.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("next_phase=only\n"), r.out());
    assertTrue(r.out().contains("next_step=touch\n"), r.out());

    List<String> argv = Files.readAllLines(argvFile);
    assertTrue(argv.contains("-Dbq2.argv0=sysroot-status"), argv.toString());
    assertTrue(argv.contains("-Dbq2.home=" + proj.toRealPath()), "the project is found through the relative link: " + argv);
    assertTrue(argv.contains("-Dbq2.launcher=" + proj.toRealPath().resolve("bin/bq2")), argv.toString());
    int jar = argv.indexOf("-jar");
    assertEquals(proj.toRealPath().resolve("target/bq2.jar").toString(), argv.get(jar + 1));
    assertEquals(List.of("--rootfs", rootfs.toString()), argv.subList(jar + 2, argv.size()),
        "the arguments follow the jar unchanged; the command comes from the link's name");

    // The same launcher under its own name needs the subcommand.
    Result plain = sh(proj.resolve("bin/bq2").toString(), "--rootfs", rootfs.toString());
    assertEquals(2, plain.exit(), "bq2 itself has no --rootfs: " + plain);
  }

  @Test
  @Timeout(60)
  void installCreatesTheLinksAndTheRunnerLinkRunsThePlan() throws Exception {
    Result r = sh(proj.resolve("bin/bq2").toString(), "--install");
    assertEquals(0, r.exit(), r.toString());
    for (String name : List.of("sysroot-runner", "sysroot-status")) {
      Path link = proj.resolve("bin").resolve(name);
      assertTrue(Files.isSymbolicLink(link), name);
      assertEquals(Path.of("bq2"), Files.readSymbolicLink(link), "a relative link survives moving the checkout");
    }

    Result run = sh(proj.resolve("bin/sysroot-runner").toString(), "--rootfs", rootfs.toString());
    assertEquals(0, run.exit(), run.toString());
    assertEquals("built\n", Files.readString(dir.resolve("touched")));
    assertTrue(Files.readAllLines(argvFile).contains("-Dbq2.argv0=sysroot-runner"));
    var state = Json.tree(rootfs.resolve("var/lib/sysroot-build-state.json"),
        Files.readString(rootfs.resolve("var/lib/sysroot-build-state.json")), "test");
    assertEquals("[\"touch\"]", state.get("progress").get("completed_steps").get("only").toString());
  }

  @Test
  @Timeout(60)
  void buildsTheJarOnlyWhenItIsMissingOrOlderThanTheSources() throws Exception {
    Files.writeString(fakeBin.resolve("mvn"), FAKE_MVN);
    executable(fakeBin.resolve("mvn"));
    Path mvnLog = dir.resolve("mvn.log");
    Files.writeString(proj.resolve("pom.xml"), "<project/>\n");
    Path source = proj.resolve("src/main/java/Some.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, "class Some {}\n");
    Path jar = proj.resolve("target/bq2.jar");
    Files.delete(jar);
    Map<String, String> env = Map.of("BQ2_TEST_NO_JVM", "1", "BQ2_TEST_MVN_LOG", mvnLog.toString());

    assertEquals(0, sh(env, proj.resolve("bin/bq2").toString(), "--version").exit());
    assertEquals(List.of("mvn -q -B -o -DskipTests package"), Files.readAllLines(mvnLog), "missing jar: built offline");

    assertEquals(0, sh(env, proj.resolve("bin/bq2").toString(), "--version").exit());
    assertEquals(1, Files.readAllLines(mvnLog).size(), "an up-to-date jar is not rebuilt");

    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
    assertEquals(0, sh(env, proj.resolve("bin/bq2").toString(), "--version").exit());
    assertEquals(2, Files.readAllLines(mvnLog).size(), "a source newer than the jar: rebuilt");
  }

  private Result sh(String... cmd) throws IOException, InterruptedException {
    return sh(Map.of(), cmd);
  }

  private Result sh(Map<String, String> extraEnv, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.put("PATH", fakeBin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("BQ2_TEST_ARGV", argvFile.toString());
    env.put("BQ2_TEST_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("BQ2_TEST_CP", System.getProperty("java.class.path"));
    env.remove("BQ2_JAVA_OPTS");
    env.putAll(extraEnv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(45, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void executable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
