package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 14: a bad option value is exactly one line on stderr (exit 2), before the rootfs
 * is detected (which would print the chosen context) and before anything is written.
 */
class OptionErrorsTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void iterateUntil2599IsOneLineAndNothingElse() throws Exception {
    Path rootfs = Bq2Child.rootfs(dir.resolve("rootfs"), "echo built > touched");
    Path cwd = Files.createDirectories(dir.resolve("cwd"));

    Bq2Child.Result r = Bq2Child.run(cwd, Map.of("BQ2_ROOTFS", rootfs.toString()), "iterate", "--until", "25:99");

    assertEquals(2, r.exit(), r.toString());
    assertEquals("", r.out(), r.toString());
    assertEquals("bq2: Invalid value for option '--until': '25:99' is not a time of day; use HH:MM, e.g. 06:30"
        + " (see 'bq2 iterate --help')\n", r.err(), "exactly one line");
    assertEquals(List.of("var/lib/sysroot-build-plan.json"), Bq2Child.files(rootfs), "nothing ran");
  }

  @Test
  @Timeout(300)
  void everyBadValueIsOneLineBeforeAnythingRuns() throws Exception {
    Path rootfs = Bq2Child.rootfs(dir.resolve("rootfs"), "echo built > touched");
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    Path report = Files.writeString(dir.resolve("report.json"), "{}");
    String r = rootfs.toString();
    List<List<String>> cases = List.of(
        List.of("iterate", "--rootfs", r, "--deadline", "tomorrow"),
        List.of("iterate", "--rootfs", r, "--stall-timeout", "5x"),
        List.of("iterate", "--rootfs", r, "--stall-timeout", "-1s"),
        List.of("iterate", "--rootfs", r, "--assistant", "gpt"),
        List.of("iterate", "--rootfs", r, "--assistant-timeout", "0"),
        List.of("iterate", "--rootfs", r, "--assistant-sandbox", "yolo"),
        List.of("iterate", "--rootfs", r, "--max-iterations", "many"),
        List.of("back-annotate", "--rootfs", r, "--command-timeout", "forever"),
        List.of("propose", "--rootfs", r, "--report", report.toString(), "--assistant", "gpt"),
        List.of("sysroot-runner", "--rootfs", r, "--namespace-mode", "bogus"),
        List.of("sysroot-runner", "--rootfs", r, "--jobs", "0"),
        List.of("log", "--rootfs", r, "--lines", "x"));
    List<String> wrong = new ArrayList<>();
    for (List<String> args : cases) {
      Bq2Child.Result res = Bq2Child.run(cwd, Map.of(), args.toArray(String[]::new));
      if (res.exit() != 2 || !res.out().isEmpty() || res.err().lines().count() != 1 || !res.err().startsWith("bq2: ")) {
        wrong.add(String.join(" ", args) + ": " + res);
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(List.of("var/lib/sysroot-build-plan.json"), Bq2Child.files(rootfs), "nothing ran");
  }
}
