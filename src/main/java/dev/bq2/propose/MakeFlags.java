package dev.bq2.propose;

import java.util.ArrayList;
import java.util.List;

/**
 * Variable definitions inside a `MAKEFLAGS` value. GNU make reads `MAKEFLAGS` from the
 * environment like its command line, so `NAME=value` words in it are command-line variables:
 * they beat every assignment in the Makefiles (except `override`) and reach recursive makes.
 * Inside the value a backslash escapes whitespace and itself, and `$` must be doubled, or make
 * expands it while parsing MAKEFLAGS (found by running make 4.3).
 */
final class MakeFlags {
  private MakeFlags() {}

  /** `value` escaped for one `NAME=value` word of MAKEFLAGS. */
  static String escape(String value) {
    StringBuilder sb = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '\\') sb.append("\\\\");
      else if (c == ' ' || c == '\t') sb.append('\\').append(c);
      else if (c == '$') sb.append("$$");
      else sb.append(c);
    }
    return sb.toString();
  }

  static String unescape(String word) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '\\' && i + 1 < word.length()) sb.append(word.charAt(++i));
      else if (c == '$' && i + 1 < word.length() && word.charAt(i + 1) == '$') sb.append(word.charAt(++i));
      else sb.append(c);
    }
    return sb.toString();
  }

  /** The words of a MAKEFLAGS value, split on unescaped whitespace. */
  static List<String> words(String makeflags) {
    List<String> out = new ArrayList<>();
    if (makeflags == null) return out;
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < makeflags.length(); i++) {
      char c = makeflags.charAt(i);
      if (c == '\\' && i + 1 < makeflags.length()) {
        cur.append(c).append(makeflags.charAt(++i));
      } else if (Character.isWhitespace(c)) {
        if (cur.length() > 0) out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) out.add(cur.toString());
    return out;
  }

  /** The (unescaped) value MAKEFLAGS gives {@code name}, or null when it does not define it. */
  static String get(String makeflags, String name) {
    for (String w : words(makeflags)) {
      if (w.startsWith(name + "=")) return unescape(w.substring(name.length() + 1));
    }
    return null;
  }

  /** MAKEFLAGS with {@code name} defined as {@code value} (an earlier definition replaced). */
  static String put(String makeflags, String name, String value) {
    List<String> out = new ArrayList<>();
    for (String w : words(makeflags)) {
      if (!w.startsWith(name + "=")) out.add(w);
    }
    out.add(name + "=" + escape(value));
    return String.join(" ", out);
  }
}
