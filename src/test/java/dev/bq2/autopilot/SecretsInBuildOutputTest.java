package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 11: a build that prints its environment puts no secret into anything we write
 * from its output (report, state, journal, events, session copies); only the raw step log keeps
 * it, readable by its owner alone. Runs the real `bq2 iterate` as a child JVM with secrets in
 * its environment, as a person's shell would have them.
 */
class SecretsInBuildOutputTest {
  @TempDir Path tmp;

  static final Map<String, String> SECRETS = Map.of(
      "OPENAI_API_KEY", "sk-proj-bq2testsecretvalue0123456789",
      "ANTHROPIC_API_KEY", "sk-ant-api03-bq2testsecretvalue0123",
      "GITHUB_TOKEN", "ghp_bq2testsecretvalue0123456789abcdef",
      "DB_PASSWORD", "hunter2-bq2-test-password");

  @Test
  void noSecretFromBuildOutputReachesWhatWeWrite() throws Exception {
    Path rootfs = tmp.resolve("rootfs");
    Path work = Files.createDirectories(tmp.resolve("pkg"));
    Files.createDirectories(rootfs.resolve("var/lib"));
    // The step prints its environment and an error line quoting a secret, then fails.
    Files.writeString(rootfs.resolve("var/lib/sysroot-build-plan.json"), """
        {"format_version": 2, "phases": [
          {"name": "p", "description": "d", "namespace": "host", "install_prefix": "/", "env": {},
           "steps": [{"name": "leaky", "strategy": "shell", "workdir": "%s", "configure_flags": [], "patches": [],
                      "env": {}, "clean_build": false,
                      "content": "env; echo \\"error: login failed with token $GITHUB_TOKEN\\" >&2; exit 1"}]}]}
        """.formatted(work));
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2", "iterate", "--rootfs", rootfs.toString(),
        "--assistant", "rules", "--quiet"));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile()).redirectErrorStream(true);
    pb.environment().remove("BQ2_ROOTFS");
    pb.environment().putAll(SECRETS);
    Path out = tmp.resolve("iterate.out");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("iterate did not finish:\n" + Files.readString(out));
    }
    String said = Files.readString(out);
    assertEquals(3, p.exitValue(), said);

    Path logs = rootfs.resolve("var/lib/sysroot-build-logs");
    List<Path> stepLogs;
    try (Stream<Path> s = Files.list(logs)) {
      stepLogs = s.filter(f -> f.getFileName().toString().contains("p_leaky") && f.toString().endsWith(".log")).toList();
    }
    assertEquals(1, stepLogs.size(), stepLogs.toString());
    String raw = Files.readString(stepLogs.get(0));
    assertTrue(raw.contains(SECRETS.get("GITHUB_TOKEN")), "the raw step log is as the build wrote it");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stepLogs.get(0))));

    List<Path> written = new ArrayList<>();
    try (Stream<Path> s = Files.walk(rootfs)) {
      s.filter(Files::isRegularFile).filter(f -> !f.equals(stepLogs.get(0)))
          .filter(f -> !f.startsWith(logs) || f.toString().contains("/sessions/")).forEach(written::add);
    }
    Path sessions = rootfs.resolve("var/lib/sysroot-build-sessions");
    assertTrue(Files.isDirectory(sessions), "a session was journaled");
    assertTrue(written.stream().anyMatch(f -> f.startsWith(sessions) && f.toString().contains("/logs/")),
        "the session keeps a copy of the step log: " + written);
    assertTrue(written.stream().anyMatch(f -> f.toString().contains("sysroot-build-reports")), written.toString());
    for (Path f : written) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> e : SECRETS.entrySet()) {
        assertFalse(text.contains(e.getValue()), () -> e.getKey() + " leaked into " + f);
      }
    }
    for (Map.Entry<String, String> e : SECRETS.entrySet()) {
      assertFalse(said.contains(e.getValue()), () -> e.getKey() + " leaked into iterate's output");
    }
  }
}
