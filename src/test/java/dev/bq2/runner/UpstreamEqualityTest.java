package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On the existing tool's real plans (x86_64, aarch64, x86_64-alpine; fresh, mid-run with its
 * real state, with its all-fields overrides, nearly done), our `sysroot-runner --dry-run` prints
 * byte for byte the JSON the existing tool prints, and `sysroot-status` the same keys in the
 * same order with the same values (the tool prints them through its logger; ours are bare).
 *
 * <p>The expected output was generated from the real tool (built from its source here) with
 * {@code python3 src/test/resources/upstream-equality/regenerate.py /work/crystal-bq2}; see the
 * README.md in that folder. The full dry-run texts are 3-4 MB each, so the test holds the
 * SHA-256 of the whole text and of each `{"phase", "step"}` object (a mismatch names the first
 * differing phase/step), and the full text of the small scenario.
 */
class UpstreamEqualityTest {
  static final Pattern LOG_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z +[A-Z]+ - .*$");
  static final Pattern STEP_NAMES = Pattern.compile(
      "(?s)^\\{\\n  \"phase\": \\{\\n    \"name\": \"([^\"]*)\".*\\n  \"step\": \\{\\n    \"name\": \"([^\"]*)\"");

  @TempDir Path dir;

  record Scenario(String name, String plan, String state, String overrides, boolean full) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Path resources(String folder) throws URISyntaxException {
    return Path.of(UpstreamEqualityTest.class.getResource("/" + folder + "/README.md").toURI()).getParent();
  }

  static List<Scenario> scenarios() throws Exception {
    List<Scenario> out = new ArrayList<>();
    for (String line : Files.readAllLines(resources("upstream-equality").resolve("scenarios.tsv"))) {
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.split("\t");
      out.add(new Scenario(f[0], f[1], f[2], f[3], f[4].equals("full")));
    }
    assertTrue(out.size() >= 3, "scenarios.tsv lists the three real plans at least");
    return out;
  }

  /** The rootfs in the host layout the existing tool needs (`<hw>/seed-rootfs/bq2-rootfs`), as the generator made it. */
  TestRootfs rootfs(Scenario s) throws Exception {
    TestRootfs fs = new TestRootfs(dir.resolve("hw/seed-rootfs/bq2-rootfs"));
    Files.writeString(fs.root.resolve(".bq2-rootfs"), "");
    Path upstream = resources("upstream");
    Files.copy(upstream.resolve(s.plan()), fs.layout.plan());
    if (!s.state().equals("-")) Files.copy(resources("upstream-equality").resolve("inputs/" + s.state()), fs.layout.state());
    if (!s.overrides().equals("-")) Files.copy(upstream.resolve(s.overrides()), fs.layout.overrides());
    return fs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void dryRunJsonIsByteIdenticalToTheExistingTools(Scenario s) throws Exception {
    TestRootfs fs = rootfs(s);
    byte[] stateBefore = Files.exists(fs.layout.state()) ? Files.readAllBytes(fs.layout.state()) : null;

    TestRootfs.Result r = fs.runner("--dry-run", "--no-echo");

    assertEquals(0, r.exit(), r.err());
    String json = withoutLogLines(r.out());
    Path expected = resources("upstream-equality").resolve("expected");
    List<String> want = Files.readAllLines(expected.resolve(s.name() + ".dry-run.sha256"));
    List<String> got = digests(json);
    if (!got.equals(want)) {
      if (System.getenv("BQ2_EQUALITY_DUMP") != null) Files.writeString(Path.of(System.getenv("BQ2_EQUALITY_DUMP"), s.name() + ".json"), json);
      int n = Math.min(got.size(), want.size());
      for (int i = 1; i < n; i++) {
        assertEquals(want.get(i), got.get(i), "dry-run object " + i + " differs from the existing tool's");
      }
      assertEquals(want.size(), got.size(), "number of dry-run objects: " + got);
      assertEquals(want.get(0), got.get(0), "the whole dry-run text (separators between objects)");
    }
    if (s.full()) {
      assertEquals(Files.readString(expected.resolve(s.name() + ".dry-run.json")), json);
    }
    if (stateBefore == null) {
      assertFalse(Files.exists(fs.layout.state()), "a dry run writes no state");
    } else {
      assertArrayEquals(stateBefore, Files.readAllBytes(fs.layout.state()), "a dry run leaves the state alone");
    }
  }

  /**
   * `LOG_LEVEL=NONE` (the setting the existing tool needs for bare JSON) makes our dry run print
   * only the JSON too: stdout as a whole equals the existing tool's, no log line to strip.
   */
  @org.junit.jupiter.api.Test
  void logLevelNoneDryRunPrintsOnlyTheExistingToolsJson() throws Exception {
    Scenario s = scenarios().stream().filter(Scenario::full).findFirst().orElseThrow();
    TestRootfs fs = rootfs(s);
    assertTrue(fs.runner("--dry-run", "--no-echo").out().contains("  INFO - Running plan "),
        "without LOG_LEVEL the dry run keeps its log lines");
    Path out = dir.resolve("dry-run.out");
    Path err = dir.resolve("dry-run.err");
    Process p = new ProcessBuilder("sh", "-c", "LOG_LEVEL=NONE exec " + dev.bq2.ChildJvm.shellCommand(
            "sysroot-runner", "--rootfs", fs.root.toString(), "--dry-run", "--no-echo"))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertEquals(0, p.waitFor(), Files.readString(err));
    assertEquals(Files.readString(resources("upstream-equality").resolve("expected/" + s.name() + ".dry-run.json")),
        Files.readString(out));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void statusHasTheExistingToolsKeysOrderAndValues(Scenario s) throws Exception {
    TestRootfs fs = rootfs(s);

    TestRootfs.Result r = fs.status();

    assertEquals(0, r.exit(), r.toString());
    String want = Files.readString(resources("upstream-equality").resolve("expected/" + s.name() + ".status"));
    assertEquals(want, r.out().replace(fs.root.toString(), "@ROOTFS@"));
  }

  static String withoutLogLines(String out) {
    StringBuilder sb = new StringBuilder();
    for (String line : out.split("(?<=\n)")) {
      if (!LOG_LINE.matcher(line.stripTrailing()).matches()) sb.append(line);
    }
    return sb.toString();
  }

  /** As regenerate.py: `total <sha> <bytes>`, then `<sha> <bytes> <phase>/<step>` per object. */
  static List<String> digests(String text) throws NoSuchAlgorithmException {
    List<String> out = new ArrayList<>();
    byte[] all = text.getBytes(StandardCharsets.UTF_8);
    out.add("total " + sha256(all) + " " + all.length);
    StringBuilder obj = new StringBuilder();
    for (String line : text.split("(?<=\n)")) {
      obj.append(line);
      if (line.equals("}\n")) {
        byte[] bytes = obj.toString().getBytes(StandardCharsets.UTF_8);
        Matcher m = STEP_NAMES.matcher(obj);
        String names = m.find() ? m.group(1) + "/" + m.group(2) : "?/?";
        out.add(sha256(bytes) + " " + bytes.length + " " + names);
        obj.setLength(0);
      }
    }
    if (obj.length() > 0) out.add("trailing text: " + obj);
    return out;
  }

  static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
