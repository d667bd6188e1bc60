package dev.bq2;

/**
 * Text that came from builds or assistants (errors, log lines, rationales) made safe to print on
 * a terminal: a build log or an assistant can hold escape sequences that set the window title,
 * clear the screen or fake a line of ours. Files keep the text as it was (JSON escapes it anyway).
 */
public final class TerminalText {
  private TerminalText() {}

  /**
   * Every control character except tab shown as an escape: C0 (ESC, BEL, CR, LF, …), DEL and C1
   * (U+0080–U+009F, 8-bit CSI and friends). `\r`, `\n` and `\e` keep their familiar names.
   */
  public static String escape(String text) {
    if (text == null) return null;
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c <= 0x9f);
      if (!control) {
        if (b != null) b.append(c);
        continue;
      }
      if (b == null) b = new StringBuilder(text.length() + 16).append(text, 0, i);
      switch (c) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case 0x1b -> b.append("\\e");
        default -> b.append(c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
      }
    }
    return b == null ? text : b.toString();
  }

  /** {@link #escape} for each line of a multi-line text, keeping its line breaks (LF only). */
  public static String escapeLines(String text) {
    if (text == null) return null;
    String[] lines = text.split("\n", -1);
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) b.append('\n');
      b.append(escape(lines[i]));
    }
    return b.toString();
  }
}
