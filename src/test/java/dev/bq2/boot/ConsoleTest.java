package dev.bq2.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console matcher on real pipes: what a terminal-happy guest writes, and what we match and answer. */
@Timeout(60)
class ConsoleTest {
  private static final String ESC = "\u001b";

  /** A guest on the far end of two pipes; {@code typed} is what we sent it. */
  private static final class Guest implements AutoCloseable {
    final PipedOutputStream screen = new PipedOutputStream();
    final ByteArrayOutputStream typed = new ByteArrayOutputStream();
    final ByteArrayOutputStream serialLog = new ByteArrayOutputStream();
    final Console console;

    Guest() throws IOException {
      console = new Console(new PipedInputStream(screen, 1 << 16), typed, serialLog, null);
      console.start();
    }

    void print(String s) throws IOException {
      screen.write(s.getBytes(StandardCharsets.UTF_8));
      screen.flush();
    }

    @Override
    public void close() throws Exception {
      screen.close();
      console.close();
    }
  }

  private static Instant in(int seconds) {
    return Instant.now().plusSeconds(seconds);
  }

  @Test
  void colouredPromptsTitlesBracketedPasteAndCharsetsAreRemovedFromTheMatchedTextButKeptInTheSerialLog() throws Exception {
    String raw = "Welcome" + ESC + "(B" + ESC + ")0\r\n"
        + ESC + "]0;root@guest:~" + "\u0007"            // OSC title ended by BEL
        + ESC + "]2;other title" + ESC + "\\"          // OSC ended by ST
        + ESC + "P1$r0m" + ESC + "\\"                  // DCS string
        + ESC + "[?2004h"                               // bracketed paste on
        + ESC + "[1;32mroot@guest" + ESC + "[0m:" + ESC + "[1;34m~" + ESC + "[0m# " + ESC + "7" + ESC + "8";
    try (Guest g = new Guest()) {
      g.print(raw);
      Optional<Console.Hit> hit = g.console.await(in(30), Pattern.compile("(?m)root@guest:~# $"));
      assertTrue(hit.isPresent(), g.console.text());
      assertEquals("Welcome\nroot@guest:~# ", g.console.text());
      g.close();
      assertArrayEquals(raw.getBytes(StandardCharsets.UTF_8), g.serialLog.toByteArray());
    }
  }

  @Test
  void aCursorPositionQueryIsAnsweredLikeATerminalAndOnlyThatQuery() throws Exception {
    try (Guest g = new Guest()) {
      g.print("$ " + ESC + "[6n");
      g.print(ESC + "[5n" + "ready\n"); // a status query (not ours to answer)
      assertTrue(g.console.await(in(30), Pattern.compile("ready")).isPresent());
      assertEquals(ESC + "[1;1R", g.typed.toString(StandardCharsets.US_ASCII));
      assertEquals("$ ready\n", g.console.text());
    }
  }

  @Test
  void aSequenceSplitAcrossReadsIsStillRemoved() throws Exception {
    try (Guest g = new Guest()) {
      g.print("log" + ESC + "[1;");
      assertTrue(g.console.await(in(30), Pattern.compile("log")).isPresent());
      g.print("31min: \n");
      assertTrue(g.console.await(in(30), Pattern.compile("in: \n")).isPresent());
      assertEquals("login: \n", g.console.text());
    }
  }

  @Test
  void waitingEndsAtTheDeadlineOrWhenTheGuestGoesAwayAndTheEarliestMatchWins() throws Exception {
    try (Guest g = new Guest()) {
      assertFalse(g.console.await(Instant.now().plus(Duration.ofMillis(200)), Pattern.compile("never")).isPresent());
      g.print("a login: then Password: ");
      Console.Hit h = g.console.await(in(30), Pattern.compile("Password:"), Pattern.compile("login:")).orElseThrow();
      assertEquals(1, h.pattern());
      // the cursor moved past the first match: the second is found next
      assertEquals(0, g.console.await(in(30), Pattern.compile("Password:"), Pattern.compile("login:")).orElseThrow().pattern());
      g.screen.close();
      assertFalse(g.console.await(in(30), Pattern.compile("never")).isPresent());
      assertTrue(g.console.ended());
    }
  }

  @Test
  void theTailIsTheLastNonBlankLinesAsUtf8() throws Exception {
    try (Guest g = new Guest()) {
      g.print("one\r\n\r\ntwo ünïcode\r\n   \r\nthree\r\n");
      assertTrue(g.console.await(in(30), Pattern.compile("three\n")).isPresent());
      assertEquals("two ünïcode\nthree", g.console.tail(2));
    }
  }
}
