package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one option value into arguments the way a POSIX shell splits words, without running
 * one: blanks separate words; '…' is literal; "…" is literal except \" \\ \$ \` and a
 * backslash-newline; outside quotes a backslash quotes the next character. Nothing is expanded
 * ($VAR, globs, ~ stay as written), so the value means the same wherever it is read.
 */
final class ShellWords {
  private ShellWords() {}

  static List<String> split(String option, String text) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n') {
        if (inWord) words.add(w.toString());
        w.setLength(0);
        inWord = false;
        i++;
      } else if (c == '\'') {
        int end = text.indexOf('\'', i + 1);
        if (end < 0) throw unterminated(option, text, "'", i);
        w.append(text, i + 1, end);
        inWord = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = text.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n && "\"\\$`\n".indexOf(text.charAt(i + 1)) >= 0) {
            if (text.charAt(i + 1) != '\n') w.append(text.charAt(i + 1));
            i += 2;
          } else {
            w.append(d);
            i++;
          }
        }
        if (!closed) throw unterminated(option, text, "\"", text.lastIndexOf('"'));
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= n) throw Bq2Exception.badInput(option + " " + text + ": ends with a lone backslash; remove it or quote it ('\\')");
        if (text.charAt(i + 1) != '\n') {
          w.append(text.charAt(i + 1));
          inWord = true;
        }
        i += 2;
      } else {
        w.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) words.add(w.toString());
    return words;
  }

  private static Bq2Exception unterminated(String option, String text, String quote, int at) {
    return Bq2Exception.badInput(option + " " + text + ": the quote " + quote + " at character " + (at + 1)
        + " is not closed; close it (the value is split like a shell would, without running one)");
  }
}
