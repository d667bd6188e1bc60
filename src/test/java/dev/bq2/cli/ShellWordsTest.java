package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `--boot-check ARGS` is split as /bin/sh splits words (checked against a real sh), with nothing expanded. */
class ShellWordsTest {
  @TempDir Path dir;

  @Test
  void splitsAsTheShellDoes() throws Exception {
    List<String> cases = List.of(
        "--kernel /boot/vmlinuz --run 'uname -r' --run \"id -u\"",
        "  a\tb   c  ",
        "--append \"console=ttyS0 quiet\" --become 'su -'",
        "it\\'s \"a \\\"quoted\\\" word\" 'back\\slash' x\\ y",
        "\"\" '' a\"b\"'c'",
        "--run 'echo \"$HOME\" *'");
    for (String c : cases) {
      assertEquals(sh(c), ShellWords.split("--boot-check", c), c);
    }
    assertEquals(List.of("--run", "echo \"$HOME\" *"), ShellWords.split("--boot-check", "--run 'echo \"$HOME\" *'"),
        "nothing is expanded");
  }

  @Test
  void anUnclosedQuoteIsBadInputNamingWhere() {
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> ShellWords.split("--boot-check", "--run 'uname -r"));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("--boot-check --run 'uname -r: the quote ' at character 7 is not closed"), e.getMessage());
    assertThrows(Bq2Exception.class, () -> ShellWords.split("--boot-check", "a\\"));
    assertThrows(Bq2Exception.class, () -> ShellWords.split("--boot-check", "\"a"));
  }

  /** What a real sh makes of the words (with expansion off: set -f, and no $ in the cases but the last, single-quoted). */
  private List<String> sh(String words) throws Exception {
    Path out = dir.resolve("out");
    Process p = new ProcessBuilder("sh", "-c", "set -f; for a in " + words + "; do printf '%s\\0' \"$a\"; done")
        .redirectOutput(out.toFile()).redirectErrorStream(false).start();
    assertEquals(0, p.waitFor());
    String s = Files.readString(out);
    if (s.isEmpty()) return List.of();
    return List.of(s.substring(0, s.length() - 1).split("\0", -1));
  }
}
