package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.TerminalText;
import org.junit.jupiter.api.Test;

/** Issue 9, item 12: which characters {@link TerminalText} escapes, and that it keeps the rest. */
class TerminalTextTest {
  @Test
  void controlCharactersAreShownAsEscapesTabAndTextStay() {
    assertEquals("\\e]0;title\\x07\\e[2J\\r\\nnext\tcol ünïcødé €",
        TerminalText.escape("\u001b]0;title\u0007\u001b[2J\r\nnext\tcol ünïcødé €"));
    assertEquals("del \\x7f c1 \\u009b csi \\u0085 nel \\x00 nul", TerminalText.escape("del \u007f c1 \u009b csi \u0085 nel \u0000 nul"));
    String plain = "plain text, nothing to do";
    assertSame(plain, TerminalText.escape(plain));
    assertNull(TerminalText.escape(null));
  }

  @Test
  void escapeLinesKeepsLineBreaks() {
    assertEquals("a\\e[31m\nb\\r\n", TerminalText.escapeLines("a\u001b[31m\nb\r\n"));
  }
}
