package dev.bq2.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.cli.Bq2;
import dev.bq2.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `sysroot-runner` executing `seed` and `bq2` phases inside real busybox rootfses in the host
 * layout (`<hw>/seed-rootfs`, `<hw>/seed-rootfs/bq2-rootfs`, docs/formats.md#upstream-formats): shell steps see
 * the rootfs as `/`, Java strategies write under the rootfs on the host, never on the host's `/`.
 */
class RunnerNamespaceTest {
  @TempDir Path tmp;
  Path seed;
  Path bq2;

  record Result(int exit, String out) {}

  @BeforeEach
  void layout() throws Exception {
    seed = Rootfs.create(tmp.resolve("hw/seed-rootfs"));
    Files.writeString(seed.resolve("etc/rootfs-id"), "seed busybox rootfs\n");
    Files.delete(seed.resolve(".bq2-rootfs"));
    Files.createDirectories(seed.resolve("opt/sysroot"));
    Files.writeString(seed.resolve("opt/sysroot/sysroot-marker"), "the seed's sysroot\n");
    Files.createDirectories(seed.resolve("srcdir"));
    Files.writeString(seed.resolve("srcdir/input.txt"), "input in the seed\n");
    bq2 = Rootfs.create(seed.resolve("bq2-rootfs"));
    Files.writeString(bq2.resolve("etc/rootfs-id"), "bq2 busybox rootfs\n");
    Files.createDirectories(bq2.resolve("srcdir2"));
    Files.writeString(bq2.resolve("srcdir2/a.txt"), "copied\n");
    Files.createDirectories(bq2.resolve("var/lib"));
  }

  private static String step(String name, String strategy, String workdir, String installPrefix, String content) {
    return "{\"name\": " + Json.line(name) + ", \"strategy\": " + Json.line(strategy) + ", \"workdir\": "
        + (workdir == null ? "null" : Json.line(workdir)) + ", \"install_prefix\": "
        + (installPrefix == null ? "null" : Json.line(installPrefix))
        + ", \"configure_flags\": [], \"patches\": [], \"env\": {}, \"clean_build\": false, \"content\": "
        + Json.line(content) + "}";
  }

  private void plan(String seedSteps, String bq2Steps) throws Exception {
    Files.writeString(bq2.resolve("var/lib/sysroot-build-plan.json"), "{\"format_version\": 2, \"phases\": ["
        + "{\"name\": \"in-seed\", \"description\": \"seed\", \"namespace\": \"seed\", \"install_prefix\": \"/opt/sysroot\","
        + " \"env\": {\"FROM_PHASE\": \"phase-env\"}, \"steps\": [" + seedSteps + "]},"
        + "{\"name\": \"in-bq2\", \"description\": \"bq2\", \"namespace\": \"bq2\", \"install_prefix\": \"/usr\","
        + " \"env\": {}, \"steps\": [" + bq2Steps + "]}]}");
  }

  private Result runner(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = Bq2.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    List<String> a = new ArrayList<>(List.of("sysroot-runner", "--rootfs", bq2.toString(), "--no-echo"));
    a.addAll(List.of(args));
    return new Result(cl.execute(a.toArray(String[]::new)), out.toString());
  }

  private JsonNode newestReport() throws Exception {
    try (Stream<Path> s = Files.list(bq2.resolve("var/lib/sysroot-build-reports"))) {
      Path p = s.filter(f -> f.toString().endsWith(".json")).sorted().reduce((x, y) -> y).orElseThrow();
      return Json.MAPPER.readTree(Files.readString(p));
    }
  }

  @Test
  void seedAndBq2PhasesRunInsideTheirRootfsAndJavaStrategiesWriteUnderIt() throws Exception {
    String unique = "bq2-runner-ns-" + System.nanoTime();
    plan(String.join(",",
            step("abs-write", "shell", null, null, "mkdir -p /" + unique + " && cat /etc/rootfs-id > /" + unique
                + "/hello.txt && pwd >> /" + unique + "/hello.txt && echo \"$FROM_PHASE\" >> /" + unique
                + "/hello.txt && cat /bq2-rootfs/.bq2-rootfs >> /" + unique + "/hello.txt"),
            step("in-workdir", "shell", "/srcdir", null, "pwd > out.txt && cat input.txt >> out.txt"),
            step("seed-file", "write-file", null, "/etc/written-in-seed", "seed write-file\n")),
        String.join(",",
            step("bq2-file", "write-file", null, "/etc/" + unique, "bq2 write-file\n"),
            step("bq2-shell", "shell", null, null, "cat /etc/" + unique + " /etc/rootfs-id /.bq2-rootfs /opt/sysroot/sysroot-marker"
                + " > /result.txt"),
            step("bq2-link", "symlink", null, "/usr/bin/hello-link", "/bin/busybox"),
            step("bq2-copy", "copy-tree", "/srcdir2", "/usr/share/copied", "")));

    Result r = runner();
    assertEquals(0, r.exit(), r.out());

    // The seed's shell step wrote at an absolute path: it landed under the seed rootfs, not on /.
    assertEquals("seed busybox rootfs\n/\nphase-env\nbq2-rootfs\n", Files.readString(seed.resolve(unique + "/hello.txt")));
    assertFalse(Files.exists(Path.of("/" + unique)), "nothing on the host's /");
    assertEquals("/srcdir\ninput in the seed\n", Files.readString(seed.resolve("srcdir/out.txt")), "workdir is inside");
    assertEquals("seed write-file\n", Files.readString(seed.resolve("etc/written-in-seed")));
    // bq2: write-file under the bq2 rootfs; the shell sees it, the bq2 root and the seed's sysroot.
    assertEquals("bq2 write-file\n", Files.readString(bq2.resolve("etc/" + unique)));
    assertFalse(Files.exists(Path.of("/etc/" + unique)));
    assertEquals("bq2 write-file\nbq2 busybox rootfs\nbq2-rootfs\nthe seed's sysroot\n", Files.readString(bq2.resolve("result.txt")));
    assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(bq2.resolve("usr/bin/hello-link")));
    assertEquals("copied\n", Files.readString(bq2.resolve("usr/share/copied/a.txt")), "cp ran inside with the mapped path");
    assertTrue(r.out().contains("Running in /srcdir2 (bq2 rootfs " + bq2 + "): cp -a . /usr/share/copied"), r.out());
    // Mounts made on entry stay in the command's namespace.
    assertFalse(Files.exists(bq2.resolve("proc/self")), "no /proc left mounted in the rootfs");
  }

  @Test
  void failingCommandInsideIsReportedWithTheInsideCommand() throws Exception {
    plan(step("fails", "shell", "/srcdir", null, "echo about to fail; exit 3"), step("never", "shell", null, null, "true"));
    Result r = runner("--phase", "in-seed");
    assertEquals(1, r.exit(), r.out());
    JsonNode rep = newestReport();
    assertEquals("seed", rep.at("/phase/namespace").asText());
    assertEquals(3, rep.get("exit_code").asInt());
    assertEquals("/srcdir", rep.at("/step/workdir").asText());
    assertTrue(Files.readString(Path.of(rep.get("output_log").asText())).contains("about to fail"));
  }

  @Test
  void entryThatCannotBeSetUpFailsTheStepAndNothingRunsOnTheHost() throws Exception {
    String unique = "bq2-never-" + System.nanoTime();
    plan(step("marker", "shell", null, null, "touch /tmp/" + unique + " /" + unique), step("never", "shell", null, null, "true"));
    Path src = Files.createDirectories(tmp.resolve("bind-src"));
    // A bind target through a regular file cannot be created, so the namespace cannot be set up.
    Result r = runner("--phase", "in-seed", "--bind", src + ":/etc/rootfs-id/sub");
    assertEquals(1, r.exit(), r.out());
    String error = newestReport().get("error").asText();
    assertTrue(error.startsWith("cannot enter the rootfs at " + seed), error);
    assertTrue(error.contains("bind " + src + " -> /etc/rootfs-id/sub failed"), error);
    assertTrue(error.contains("Not running outside the rootfs."), error);
    assertTrue(newestReport().get("command").isNull(), "no command ran");
    assertFalse(Files.exists(Path.of("/" + unique)) || Files.exists(Path.of("/tmp/" + unique)) || Files.exists(seed.resolve(unique)));
  }

  @Test
  void missingSeedSysrootStopsABq2Phase() throws Exception {
    Files.delete(seed.resolve("opt/sysroot/sysroot-marker"));
    Files.delete(seed.resolve("opt/sysroot"));
    plan(step("s", "shell", null, null, "true"), step("b", "shell", null, null, "true"));
    Result r = runner("--phase", "in-bq2");
    assertEquals(1, r.exit(), r.out());
    assertTrue(newestReport().get("error").asText().startsWith("Missing sysroot at " + seed.resolve("opt/sysroot")),
        newestReport().toString());
  }
}
