package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, items 8 and 12, through a real `bq2 iterate` (child JVM) with `--assistant command`:
 * an assistant that prints without end is read only up to a bound, its process group ended and
 * the attempt journaled "answer too large"; escapes in build output and in a rationale reach the
 * terminal escaped, while the journal keeps the text.
 */
class HostileAssistantTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void anAssistantPrintingWithoutEndIsCutOffAndItsGroupEnded() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Fixture.plan(rootfs, "p", Map.of(), Fixture.Step.shell("boom", "echo 'mystery failure' >&2\nexit 1"));
    // `yes` with a marker argument, so its process can be found (and must be gone) afterwards.
    String marker = dir.resolve("yes-marker").toString();
    Path assistant = script("assistant.sh", "cat >/dev/null\nexec yes " + marker);

    // A small heap: reading the answer whole would end in an OutOfMemoryError.
    ChildJvm it = ChildJvm.start(dir, dir.resolve("iterate"), List.of("-Xmx128m"), iterateArgs(rootfs, assistant, "60s"));
    int exit = it.waitFor(Duration.ofSeconds(90));
    String out = it.stdout();
    assertEquals(ExitCodes.NEEDS_PERSON, exit, it.toString());
    assertTrue(out.contains("command failed: command answer too large: more than 8 MiB"), out);
    assertFalse(it.stderr().contains("OutOfMemoryError"), it.stderr());
    assertFalse(out.contains("gave no answer within"), "cut off at the bound, not at the timeout: " + out);

    List<JournalEvent> ev = Fixture.events(Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0));
    JournalEvent attempt = ev.stream().filter(e -> e.type().equals("assistant_attempt")).findFirst().orElseThrow();
    assertTrue(attempt.message().contains("answer too large"), attempt.message());
    assertEquals("failed", attempt.get("outcome"));
    assertTrue(ev.stream().anyMatch(e -> e.type().equals("proposal_rejected") && e.message().contains("answer too large")),
        Fixture.types(ev).toString());
    assertEquals(List.of(), processesWith(marker), "the assistant's process group was ended");
  }

  @Test
  @Timeout(120)
  void escapesFromTheBuildAndTheAssistantArePrintedEscaped() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    // The build prints a window-title sequence, a clear-screen and a bell into its error line.
    // (The command itself carries a real ESC too, so the step's error text holds one.)
    Fixture.plan(rootfs, "p", Map.of(), Fixture.Step.shell("boom",
        "printf 'error: \\033]0;pwned\\007 \\033[2J gone\\r\\n' >&2 # \u001b[31m\nexit 1"));
    // A valid proposal whose rationale carries escapes (JSON \\u001b).
    Path assistant = script("assistant.sh", "cat >/dev/null\ncat <<'JSON'\n"
        + "{\"phase\":\"p\",\"step\":\"boom\",\"configure_flags_add\":[],\"env\":{\"CFLAGS\":\"-O1\"},\"patches_add\":[],"
        + "\"build_dir\":null,\"clean_build\":false,"
        + "\"rationale\":\"\\u001b]0;owned\\u0007\\u001b[2Jtry -O1\",\"escalate\":false}\n"
        + "JSON");

    ChildJvm it = ChildJvm.start(dir, dir.resolve("iterate"), List.of(),
        iterateArgs(rootfs, assistant, "60s", "--max-iterations", "1"));
    it.waitFor(Duration.ofSeconds(90));
    String out = it.stdout();
    assertTrue(out.contains("(\\e]0;owned\\x07\\e[2Jtry -O1); applied"), out);
    assertTrue(out.contains("\\e]0;pwned\\x07 \\e[2J gone"), "the build's error line, escaped: " + out);
    for (char c : new char[] {0x1b, 0x07, '\r'}) {
      assertEquals(-1, out.indexOf(c), "no raw control character " + (int) c + " on the terminal: " + out);
    }

    // The journal keeps the text as it came (JSON escapes it); journal.md escapes it.
    Path session = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions")).get(0);
    JournalEvent applied = Fixture.events(session).stream().filter(e -> e.type().equals("applied")).findFirst().orElseThrow();
    assertTrue(((String) applied.get("rationale")).startsWith("\u001b]0;owned\u0007"), applied.toString());
    String md = Files.readString(session.resolve("journal.md"));
    assertEquals(-1, md.indexOf('\u001b'), md);
    assertEquals(-1, md.indexOf('\u0007'), md);

    // Every other command that prints this text: diagnose, reports, status, log, overrides show/history.
    Path report;
    try (Stream<Path> r = Files.list(rootfs.resolve("var/lib/sysroot-build-reports"))) {
      report = r.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    String fsRoot = dir.resolve("empty-fs-root").toString();
    List<String[]> commands = List.of(
        new String[] {"diagnose", "--report", report.toString()},
        new String[] {"reports", "--rootfs", rootfs.toString(), "--fs-root", fsRoot},
        new String[] {"sysroot-status", "--rootfs", rootfs.toString()},
        new String[] {"log", "--rootfs", rootfs.toString(), "--fs-root", fsRoot},
        new String[] {"overrides", "show", "--rootfs", rootfs.toString(), "--fs-root", fsRoot},
        new String[] {"overrides", "history", "--rootfs", rootfs.toString(), "--fs-root", fsRoot});
    for (String[] c : commands) {
      ChildJvm cmd = ChildJvm.run(dir, dir.resolve("cmd-" + c[0] + "-" + c[1]), Duration.ofSeconds(60), c);
      String shown = cmd.stdout();
      assertEquals(0, cmd.exit(), String.join(" ", c) + ": " + cmd);
      for (char ch : new char[] {0x1b, 0x07, '\r'}) {
        assertEquals(-1, shown.indexOf(ch), String.join(" ", c) + " printed raw control character " + (int) ch + ": " + shown);
      }
      // (status names the failed step and history the change, not the error text or rationale)
      if (!c[0].equals("sysroot-status") && !c[1].equals("history")) assertTrue(shown.contains("\\e"), String.join(" ", c) + " shows the escape as text: " + shown);
    }
  }

  private Path script(String name, String body) throws IOException {
    Path s = dir.resolve(name);
    Files.writeString(s, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
    return s;
  }

  private String[] iterateArgs(Path rootfs, Path assistant, String timeout, String... more) throws IOException {
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    List<String> a = new ArrayList<>(List.of("iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(),
        "--assistant", "command", "--assistant-command", assistant.toString(), "--assistant-timeout", timeout,
        "--session-file", dir.resolve("codex-session").toString(), "--claude-session-file", dir.resolve("claude-session").toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /** Live processes whose command line holds {@code marker}. */
  static List<Long> processesWith(String marker) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          String stat = Files.readString(p.resolve("stat"));
          boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          if (cmd.contains(marker) && !zombie) found.add(Long.parseLong(p.getFileName().toString()));
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }
}
