package dev.bq2.json;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.TriedDeltas;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 2: on a full disk a fragment of an `applied` line stayed in the history, the next
 * append glued onto it and the history was unreadable for good. Appends are all or nothing; a
 * torn last line from an older version is reported once and the rest kept.
 */
class AppendLineTest {
  @TempDir Path dir;

  static String entry(int i, String pad) {
    return Json.line(new HistoryEntry("20261129T000000.000Z-0000000" + i, "outcome", "t", null, "sig", "rules",
        "p", "s", null, pad, "same_failure", null));
  }

  /** A real short write: the child runs under `ulimit -f` (file size limit), the kernel cuts the write. */
  @Test
  void aShortWriteLeavesTheFileAsItWasAndTheNextAppendIsClean() throws Exception {
    Path history = dir.resolve("sysroot-build-overrides.history.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 6; i++) sb.append(entry(i, "x".repeat(900))).append('\n');
    Files.writeString(history, sb);
    byte[] before = Files.readAllBytes(history);
    assertTrue(before.length < 8192 && before.length > 5000, "prefilled " + before.length);

    String big = entry(7, "y".repeat(4000)); // crosses the 8 KiB limit: part is written, then EFBIG
    List<String> cmd = new ArrayList<>(List.of("bash", "-c",
        "ulimit -f 8; exec \"$0\" -XX:-UsePerfData -Xshare:off -XX:TieredStopAtLevel=1 -cp \"$1\" dev.bq2.json.AppendLineMain \"$2\" \"$3\"",
        ChildJvm.java(), System.getProperty("java.class.path"), history.toString(), big));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), out);
    assertTrue(out.contains("cannot append to " + history + ": File too large; nothing was appended (the file is as before)"), out);
    assertFalse(out.contains("Exception"), out);
    assertArrayEquals(before, Files.readAllBytes(history), "no fragment left behind");

    AtomicFile.appendLine(history, entry(8, "z"));
    List<HistoryEntry> all = TriedDeltas.read(history);
    assertEquals(7, all.size());
    assertEquals("20261129T000000.000Z-00000008", all.get(6).id());
  }

  @Test
  void aTornLastLineFromAnOlderVersionIsReportedOnceAndTheRestKept() throws Exception {
    Path history = dir.resolve("h.jsonl");
    String torn = entry(2, "q").substring(0, 40);
    Files.writeString(history, entry(0, "a") + "\n" + entry(1, "b") + "\n" + torn);
    String[] err = new String[1];
    List<HistoryEntry> read = captureErr(() -> TriedDeltas.read(history), err);
    assertEquals(2, read.size());
    assertEquals(1, err[0].lines().count(), err[0]);
    assertTrue(err[0].startsWith("bq2: warning: " + history + ":3: torn last line skipped"), err[0]);

    // the next append drops the fragment (one warning) instead of gluing onto it
    captureErr(() -> {
      AtomicFile.appendLine(history, entry(3, "c"));
      return null;
    }, err);
    assertTrue(err[0].contains("dropped a torn last line (40 bytes"), err[0]);
    read = captureErr(() -> TriedDeltas.read(history), err);
    assertEquals(List.of("20261129T000000.000Z-00000000", "20261129T000000.000Z-00000001", "20261129T000000.000Z-00000003"),
        read.stream().map(HistoryEntry::id).toList());
    assertEquals("", err[0]);

    // a torn line cut inside a multi-byte character is still just a torn line
    byte[] e = (entry(4, "é") + "\n").getBytes(StandardCharsets.UTF_8);
    int cut = new String(e, StandardCharsets.UTF_8).indexOf('é') + 1; // between the two bytes of é
    Files.write(history, concat(Files.readAllBytes(history), Arrays.copyOf(e, cut)));
    read = captureErr(() -> TriedDeltas.read(history), err);
    assertEquals(3, read.size());
    assertTrue(err[0].contains("torn last line skipped"), err[0]);

    // a whole entry that only lacks its newline is kept, and the next append starts a new line
    Files.writeString(history, entry(0, "a") + "\n" + entry(1, "b"));
    captureErr(() -> {
      AtomicFile.appendLine(history, entry(2, "c"));
      return null;
    }, err);
    assertEquals("", err[0]);
    assertEquals(3, TriedDeltas.read(history).size());
  }

  @Test
  void aBadLineInTheMiddleIsStillAnErrorNamingTheLine() throws Exception {
    Path history = dir.resolve("h.jsonl");
    Files.writeString(history, entry(0, "a") + "\n{\"id\": \"x\", \"id\": \"y\"}\n" + entry(1, "b") + "\n");
    var ex = assertThrows(dev.bq2.Bq2Exception.class, () -> TriedDeltas.read(history));
    assertEquals(2, ex.exitCode());
    assertTrue(ex.getMessage().startsWith(history + ":2: not a history entry"), ex.getMessage());
    Files.write(history, concat(Files.readAllBytes(history), new byte[] {(byte) 0xff, '\n'}));
    ex = assertThrows(dev.bq2.Bq2Exception.class, () -> TriedDeltas.read(history));
    assertTrue(ex.getMessage().contains("invalid UTF-8 at byte offset"), ex.getMessage());
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  interface Call<T> {
    T call() throws Exception;
  }

  static synchronized <T> T captureErr(Call<T> c, String[] err) throws Exception {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return c.call();
    } finally {
      System.setErr(old);
      err[0] = buf.toString(StandardCharsets.UTF_8);
    }
  }
}
