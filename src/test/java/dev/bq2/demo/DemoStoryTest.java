package dev.bq2.demo;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 10: `bq2 demo` (a real child process, real builds) tells a short story on its
 * stdout: what failed, what fixed it, where the journals and the full log are. The autopilot's
 * and runner's every line is in the log file, not on the screen. Item 18: the overrides it
 * leaves hold no empty fields.
 */
class DemoStoryTest {
  @TempDir Path tmp;

  @Test
  @Timeout(300)
  void theDemoPrintsAShortStoryAndKeepsTheFullLogInItsFile() throws Exception {
    Path dir = tmp.resolve("demo");
    ChildJvm demo = ChildJvm.run(tmp, tmp.resolve("demo-run"), Duration.ofMinutes(4), "demo", "--dir", dir.toString(),
        "--jobs", "2");
    String out = Files.readString(demo.out);
    String err = Files.readString(demo.err);
    assertEquals(0, demo.process.exitValue(), out + err);
    List<String> lines = out.lines().toList();
    assertTrue(lines.size() <= 20, "a short story, not the runner's log: " + lines.size() + " lines\n" + out);
    assertFalse(out.contains(" INFO - "), "no runner log lines on the screen: " + out);

    // What failed (with the linker's own words), and what fixed it.
    assertTrue(out.contains("core-libs/libcounter failed (link): ") && out.contains("multiple definition of `counter_hits'"), out);
    assertTrue(out.contains("  fixed by rules: CFLAGS=\"-O2 -fcommon\""), out);
    assertTrue(out.contains("userland/optfeat failed (configure): configure: error: libfoo was not found"), out);
    assertTrue(out.contains("  fixed by rules: configure_flags_add --without-foo"), out);
    assertEquals(5, lines.stream().filter(l -> l.startsWith("  fixed by rules: ")).count(), out);
    assertTrue(out.contains("demo: plan complete"), out);

    // Where the journals are: paths that exist.
    Matcher journal = Pattern.compile("(?m)^demo: journal (\\S+)$").matcher(out);
    int journals = 0;
    while (journal.find()) {
      journals++;
      Path j = Path.of(journal.group(1));
      assertTrue(Files.isRegularFile(j), j.toString());
      assertTrue(Files.readString(j).contains("multiple definition") || Files.readString(j).contains("libfoo"), j.toString());
    }
    assertEquals(2, journals, out);

    // The full log: named, existing, with the autopilot's and the runner's INFO lines.
    Matcher full = Pattern.compile("(?m)^demo: full log (\\S+)$").matcher(out);
    assertTrue(full.find(), out);
    Path log = Path.of(full.group(1));
    assertTrue(log.startsWith(dir), "the log stays in the demo's folder: " + log);
    String logText = Files.readString(log);
    assertTrue(logText.contains("  INFO - Building libcounter in "), logText);
    assertTrue(logText.contains("  INFO - Completed sysroot run"), logText);
    assertTrue(logText.contains("iterate: #1 failed: core-libs/libcounter"), logText);

    // The summary it names is the one a person reads in the morning: it finds the demo's sessions.
    Matcher summary = Pattern.compile("(?m)^demo: morning summary `bq2 (summary .+)`$").matcher(out);
    assertTrue(summary.find(), out);
    ChildJvm morning = ChildJvm.run(tmp, tmp.resolve("summary-run"), Duration.ofMinutes(2),
        summary.group(1).split(" "));
    String sum = Files.readString(morning.out);
    assertEquals(0, morning.process.exitValue(), sum + Files.readString(morning.err));
    assertTrue(sum.contains("phases completed: 2") && sum.contains("failures seen: 5 (5 fixed)"), sum);

    // The overrides it leaves: only what the rules asked for.
    String overrides = Files.readString(dir.resolve("rootfs/var/lib/sysroot-build-overrides.json"));
    assertFalse(overrides.contains("[]") || overrides.contains("{}") || overrides.contains("null"), overrides);
    assertTrue(overrides.contains("\"CFLAGS\": \"-O2 -fcommon\""), overrides);
  }

  @Test
  @Timeout(300)
  void verboseShowsEveryLineToo() throws Exception {
    Path dir = tmp.resolve("demo");
    ChildJvm demo = ChildJvm.run(tmp, tmp.resolve("demo-run"), Duration.ofMinutes(4), "demo", "--dir", dir.toString(),
        "--verbose");
    String out = Files.readString(demo.out);
    assertEquals(0, demo.process.exitValue(), out + Files.readString(demo.err));
    assertTrue(out.contains("  INFO - Building libcounter in "), out);
    assertTrue(out.contains("  fixed by rules: CFLAGS=\"-O2 -fcommon\""), "the story closes it: " + out);
    assertTrue(Files.readString(dir.resolve("demo.log")).contains("  INFO - Building libcounter in "));
  }
}
