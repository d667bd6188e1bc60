package dev.bq2;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.json.Json;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.Proposal;
import dev.bq2.supervise.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, must show: random and truncated (and bit-flipped) bytes in every file we read (plan,
 * overrides, state, history, report, run record), fed to the real `bq2` commands that read them.
 * Each run ends with exit 0 (the damage left valid input) or a clean refusal: exit 2 and one
 * `bq2: ` line; never a stack trace, never a changed file. Seeded (BQ2_FUZZ_SEED overrides the
 * seed, printed on failure), a few hundred cases, in process through picocli on real files; a
 * few cases again as child processes.
 */
class FuzzInputsTest {
  static final int CASES_PER_FILE = 35;
  static final String PUNCT = "{}[]\",:0n\\";
  static final long SEED = Long.parseLong(System.getenv().getOrDefault("BQ2_FUZZ_SEED", "20261129"));

  @TempDir Path dir;
  Path root;
  Path lib;

  record Target(String name, Path file, List<List<String>> commands) {}

  @BeforeEach
  void realFiles() throws Exception {
    root = dir.resolve("rootfs");
    lib = root.resolve("var/lib");
    Path work = root.resolve("work");
    Files.createDirectories(lib);
    Files.createDirectories(work);
    String step = "{\"name\": \"%s\", \"strategy\": \"shell\", \"workdir\": \"" + work + "\", \"configure_flags\": [\"--x\"],"
        + " \"patches\": [], \"env\": {\"CFLAGS\": \"-O2\"}, \"clean_build\": false, \"content\": \"%s\"}";
    Files.writeString(lib.resolve("sysroot-build-plan.json"), Json.pretty(Json.MAPPER.readTree(
        "{\"format_version\": 2, \"phases\": [{\"name\": \"p1\", \"description\": \"first\", \"namespace\": \"host\","
            + " \"install_prefix\": \"/usr\", \"env\": {\"A\": \"1\"}, \"steps\": ["
            + String.format(step, "ok", "echo fine") + ", " + String.format(step, "boom", "echo compile error >&2; exit 3")
            + "]}, {\"name\": \"p2\", \"description\": \"second\", \"namespace\": \"host\", \"install_prefix\": \"/\","
            + " \"env\": {}, \"steps\": [" + String.format(step, "later", "true") + "]}]}")));
    Files.writeString(lib.resolve("sysroot-build-overrides.json"),
        "{\n  \"phases\": {\n    \"p1\": {\n      \"env\": {\"B\": \"2\"},\n      \"steps\": {\"ok\": {\"configure_flags_add\": [\"--y\"],"
            + " \"patches_add\": []}}\n    }\n  }\n}\n");
    // the runner writes the state, a failure report and the step log for real
    InProcessCli.Result run = InProcessCli.run("sysroot-runner", "--rootfs", root.toString());
    assertEquals(1, run.exit(), run.toString());
    Proposal delta = new Proposal("p1", "boom", List.of("--disable-werror"), Map.of("CFLAGS", "-O1"), List.of(), null, true, "why", false);
    Files.writeString(lib.resolve("sysroot-build-overrides.history.jsonl"),
        Json.line(new HistoryEntry("20261129T000000.000Z-1a2b3c4d", "applied", "2026-11-29T00:00:00Z", "r.json", "sig",
            "rules", "p1", "boom", delta, "why", null, null)) + "\n"
            + Json.line(new HistoryEntry("20261129T000000.000Z-1a2b3c4d", "outcome", "2026-11-29T00:01:00Z", null, "sig",
                null, "p1", "boom", null, null, "same_failure", null)) + "\n");
    Path logDir = lib.resolve("sysroot-build-logs");
    Path runnerLog = logDir.resolve("sysroot-runner-20261129T000000Z-p1.log");
    Files.writeString(runnerLog, "runner output\n");
    Files.writeString(logDir.resolve("current-run.json"), Json.pretty(new RunRecord(1, "p1", 999_999_999L, 1L, "none",
        List.of("bq2", "sysroot-runner"), root.toString(), runnerLog.toString(), runnerLog + ".exit", "2026-11-29T00:00:00Z", 1L)));
  }

  List<Target> targets() throws IOException {
    Path report;
    try (Stream<Path> s = Files.list(lib.resolve("sysroot-build-reports"))) {
      report = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    String r = root.toString();
    List<String> status = List.of("sysroot-status", "--rootfs", r);
    return List.of(
        new Target("plan", lib.resolve("sysroot-build-plan.json"),
            List.of(status, List.of("sysroot-runner", "--rootfs", r, "--dry-run"))),
        new Target("overrides", lib.resolve("sysroot-build-overrides.json"),
            List.of(status, List.of("overrides", "show", "--rootfs", r))),
        new Target("state", lib.resolve("sysroot-build-state.json"), List.of(status)),
        new Target("history", lib.resolve("sysroot-build-overrides.history.jsonl"),
            List.of(List.of("overrides", "history", "--rootfs", r), List.of("overrides", "show", "--rootfs", r))),
        new Target("report", report, List.of(List.of("diagnose", "--report", report.toString()))),
        new Target("run record", lib.resolve("sysroot-build-logs/current-run.json"), List.of(List.of("log", "--rootfs", r))));
  }

  /** One damaged version of {@code good}: random bytes, a truncation, flipped bytes or a splice. */
  static byte[] damage(byte[] good, Random rnd) {
    switch (rnd.nextInt(5)) {
      case 0 -> {
        byte[] b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
        return b;
      }
      case 1, 2 -> {
        return Arrays.copyOf(good, rnd.nextInt(good.length)); // never the whole file
      }
      case 3 -> {
        byte[] b = good.clone();
        for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
          b[rnd.nextInt(b.length)] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : PUNCT.charAt(rnd.nextInt(PUNCT.length())));
        }
        return b;
      }
      default -> {
        int at = rnd.nextInt(good.length);
        String[] junk = {"null", "\"", "{", "]", ",,", "\"x\": 1,", "1e999999", "\\u0000", "\u00e9", "\uffff", "[[[[[[[[", "true"};
        byte[] ins = junk[rnd.nextInt(junk.length)].getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[good.length + ins.length];
        System.arraycopy(good, 0, b, 0, at);
        System.arraycopy(ins, 0, b, at, ins.length);
        System.arraycopy(good, at, b, at + ins.length, good.length - at);
        return b;
      }
    }
  }

  @Test
  void damagedInputsEndInExit2OrSuccessNeverAStackTraceNeverAChangedFile() throws Exception {
    Random rnd = new Random(SEED);
    long t0 = System.nanoTime();
    int runs = 0;
    int refused = 0;
    for (Target t : targets()) {
      byte[] good = Files.readAllBytes(t.file());
      for (int c = 0; c < CASES_PER_FILE; c++) {
        byte[] bad = damage(good, rnd);
        Files.write(t.file(), bad);
        for (List<String> cmd : t.commands()) {
          Map<Path, String> before = snapshot();
          InProcessCli.Result r = InProcessCli.run(cmd.toArray(String[]::new));
          runs++;
          String what = "seed " + SEED + ", " + t.name() + " case " + c + ", `bq2 " + String.join(" ", cmd) + "`, input "
              + printable(bad) + "\n" + r;
          check(r.exit(), r.err(), r.out(), what);
          if (r.exit() == 2) refused++;
          assertEquals(before, snapshot(), "no file changed: " + what);
        }
      }
      Files.write(t.file(), good);
    }
    System.out.println("fuzz: " + runs + " runs, " + refused + " refused, " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertTrue(runs >= 300, "runs " + runs);
    assertTrue(refused > runs / 3, "most damage is refused: " + refused + " of " + runs);
    assertTrue(System.nanoTime() - t0 < Duration.ofMinutes(5).toNanos(), "bounded time");
  }

  /** The same property through real child processes, one damaged file of each kind. */
  @Test
  void childProcessesRefuseDamagedFilesTheSameWay() throws Exception {
    Random rnd = new Random(SEED + 1);
    for (Target t : targets()) {
      byte[] good = Files.readAllBytes(t.file());
      byte[] bad = Arrays.copyOf(good, good.length / 2);
      Files.write(t.file(), bad);
      List<String> cmd = t.commands().get(rnd.nextInt(t.commands().size()));
      Map<Path, String> before = snapshot();
      ChildJvm c = ChildJvm.run(dir, dir.resolve("child-" + t.name().replace(' ', '-')), Duration.ofSeconds(60),
          cmd.toArray(String[]::new));
      String what = t.name() + " truncated to " + bad.length + " bytes, `bq2 " + String.join(" ", cmd) + "`\n" + c;
      if (t.name().equals("history")) {
        assertEquals(0, c.exit(), what); // a torn last line: one warning, the rest kept
        assertTrue(c.stderr().startsWith("bq2: warning: ") && c.stderr().lines().count() == 1, what);
      } else {
        assertEquals(2, c.exit(), what);
        check(c.exit(), c.stderr(), c.stdout(), what);
        assertTrue(c.stderr().contains(t.file().toString()), "the error names the file: " + what);
      }
      assertEquals(before, snapshot(), "no file changed: " + what);
      Files.write(t.file(), good);
    }
  }

  static void check(int exit, String err, String out, String what) {
    assertTrue(exit == 0 || exit == 2, "exit 0 or 2: " + what);
    for (String s : new String[] {err, out}) {
      assertFalse(s.contains("Exception") || s.contains("\tat ") || s.contains("internal error")
          || s.contains("Error:") && s.contains("java."), "no stack trace: " + what);
    }
    if (exit == 2) {
      List<String> lines = err.lines().filter(l -> !l.startsWith("bq2: warning: ")).toList();
      assertEquals(1, lines.size(), "one line: " + what);
      assertTrue(lines.get(0).startsWith("bq2: "), what);
      assertTrue(lines.get(0).length() < 4000, "a bounded line: " + what);
    }
  }

  Map<Path, String> snapshot() throws IOException {
    Map<Path, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        m.put(p, Files.isRegularFile(p) ? dev.bq2.state.StateStore.sha256(Files.readAllBytes(p)) : "dir");
      }
    }
    return m;
  }

  static String printable(byte[] b) {
    String s = new String(b, 0, Math.min(b.length, 300), StandardCharsets.ISO_8859_1);
    StringBuilder sb = new StringBuilder("(" + b.length + " bytes) ");
    for (char ch : s.toCharArray()) sb.append(ch >= 32 && ch < 127 ? String.valueOf(ch) : String.format("\\x%02x", (int) ch));
    return sb.toString();
  }
}
