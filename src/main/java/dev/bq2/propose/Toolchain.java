package dev.bq2.propose;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the toolchain rules read about a failing step, each piece computed once and bounded:
 * the compile lines in the failing command's log (which flags really reached the compiler, the
 * `-std=` in force), and what the C library's headers declare under which feature macros
 * (asked from the step's own compiler with `-E -dD`, a few tens of milliseconds).
 */
final class Toolchain {
  static final long LOG_TAIL = 8L << 20;
  private static final Pattern C_COMPILER = Pattern.compile("(?:[\\w.+-]+-)?(?:gcc|cc|clang)(?:-[\\d.]+)?");
  private static final Pattern CXX_COMPILER = Pattern.compile("(?:[\\w.+-]+-)?(?:g\\+\\+|c\\+\\+|clang\\+\\+)(?:-[\\d.]+)?");
  private static final Pattern SOURCE = Pattern.compile("[^-\\s]\\S*\\.(?:c|cc|cpp|cxx|C|c\\+\\+)");
  private static final Pattern STRICT_STD = Pattern.compile("^(?:-std=(c\\d\\w*|iso9899:\\S+)|-ansi)$");
  /** Headers whose declarations feature macros hide; each guarded, so a libc without one is fine. */
  static final List<String> POSIX_HEADERS = List.of(
      "stdio.h", "stdlib.h", "string.h", "strings.h", "unistd.h", "signal.h", "time.h", "sys/types.h",
      "sys/stat.h", "sys/time.h", "sys/wait.h", "sys/select.h", "sys/resource.h", "sys/mman.h", "sys/socket.h",
      "sys/ioctl.h", "sys/uio.h", "fcntl.h", "dirent.h", "netdb.h", "netinet/in.h", "arpa/inet.h", "termios.h",
      "poll.h", "pwd.h", "grp.h", "limits.h", "math.h", "ctype.h", "errno.h", "stdint.h", "setjmp.h", "dlfcn.h",
      "pthread.h", "sched.h", "search.h", "glob.h", "fnmatch.h", "wchar.h", "locale.h", "langinfo.h", "syslog.h");
  /** Tried in order: `_DEFAULT_SOURCE` is what gcc's gnuNN modes give; `_GNU_SOURCE` adds GNU-only APIs. */
  static final List<String> FEATURE_MACROS = List.of("_DEFAULT_SOURCE", "_GNU_SOURCE");

  enum Evidence { HONORED, IGNORED, UNKNOWN }

  private final Path log;
  private final String cc;
  private List<String> compileLines;
  private final Map<String, String> probes = new HashMap<>();

  Toolchain(Path log, String cc) {
    this.log = log;
    String first = "cc";
    if (cc != null && !cc.isBlank()) {
      List<String> w = new ArrayList<>(List.of(cc.trim().split("\\s+")));
      while (w.size() > 1 && (w.get(0).endsWith("ccache") || w.get(0).endsWith("distcc"))) w.remove(0);
      first = w.get(0);
    }
    this.cc = first;
  }

  String compiler() {
    return cc;
  }

  /** Compiler command lines (`cc ... -c ...`, or one compiling a source file) from the end of the failing command's log. */
  List<String> compileLines() {
    if (compileLines != null) return compileLines;
    compileLines = new ArrayList<>();
    for (String line : tail()) {
      if (compileWords(line, null) != null) compileLines.add(line);
    }
    return compileLines;
  }

  /** The words of a compile line from the compiler on; null when it is none (of this kind). */
  static List<String> compileWords(String line, Boolean cxx) {
    String l = line.strip();
    if (l.startsWith("libtool: compile:")) l = l.substring("libtool: compile:".length()).strip();
    List<String> w = new ArrayList<>(List.of(l.split("\\s+")));
    while (!w.isEmpty() && (w.get(0).endsWith("ccache") || w.get(0).endsWith("distcc"))) w.remove(0);
    if (w.size() < 3 || !(w.contains("-c") || w.stream().anyMatch(x -> SOURCE.matcher(x).matches()))) return null;
    String exe = Path.of(w.get(0)).getFileName() == null ? w.get(0) : Path.of(w.get(0)).getFileName().toString();
    boolean isC = C_COMPILER.matcher(exe).matches();
    boolean isCxx = CXX_COMPILER.matcher(exe).matches();
    if (cxx == null ? !(isC || isCxx) : cxx ? !isCxx : !isC) return null;
    return w;
  }

  /**
   * Did the flags of {@code envValue} reach the compiler? HONORED when some compile line has
   * them all, IGNORED when compile lines exist and none has them (the Makefile replaces the
   * variable), UNKNOWN without compile lines (silent rules) or without flags to look for.
   */
  Evidence evidence(String key, String envValue) {
    Boolean cxx = switch (key) {
      case "CFLAGS" -> false;
      case "CXXFLAGS" -> true;
      case "CPPFLAGS" -> null;
      default -> null;
    };
    if (!List.of("CFLAGS", "CXXFLAGS", "CPPFLAGS").contains(key) || envValue == null || envValue.isBlank()) {
      return Evidence.UNKNOWN;
    }
    List<String> want = List.of(envValue.trim().split("\\s+"));
    boolean any = false;
    for (String line : compileLines()) {
      List<String> w = compileWords(line, cxx);
      if (w == null) continue;
      any = true;
      if (w.containsAll(want)) return Evidence.HONORED;
    }
    return any ? Evidence.IGNORED : Evidence.UNKNOWN;
  }

  /** The strict `-std=cNN`/`-ansi` on the compile lines, else in the given values; null when none. */
  String strictStd(List<String> otherValues) {
    for (String line : compileLines()) {
      List<String> w = compileWords(line, false);
      String s = strictIn(w);
      if (s != null) return s;
    }
    for (String v : otherValues) {
      if (v == null) continue;
      String s = strictIn(List.of(v.trim().split("\\s+")));
      if (s != null) return s;
    }
    return null;
  }

  /** The last `-std=`/`-ansi` of the words when it is a strict one (the last one wins in gcc). */
  private static String strictIn(List<String> words) {
    if (words == null) return null;
    String last = null;
    for (String x : words) {
      if (x.startsWith("-std=") || x.equals("-ansi")) last = x;
    }
    return last != null && STRICT_STD.matcher(last).matches() ? last : null;
  }

  /**
   * The feature macro that makes the C library declare {@code symbol} under {@code std} when the
   * plain {@code std} hides it; null when it is not hidden that way (a project symbol, or
   * declared anyway) or the compiler cannot be asked.
   */
  String featureMacroRevealing(String symbol, String std) {
    String src = guardedIncludes(POSIX_HEADERS);
    String base = probe(List.of(std), src);
    if (base == null || declares(base, symbol)) return null;
    for (String macro : FEATURE_MACROS) {
      String out = probe(List.of(std, "-D" + macro), src);
      if (out != null && declares(out, symbol)) return macro;
    }
    return null;
  }

  /** The header declares {@code symbol} (asked from the compiler; false when it has no such header). */
  boolean headerDeclares(String header, String symbol) {
    String out = probe(List.of(), "#include <" + header + ">\n");
    return out != null && declares(out, symbol);
  }

  static boolean declares(String preprocessed, String symbol) {
    return Pattern.compile("(?<![\\w])" + Pattern.quote(symbol) + "(?![\\w])").matcher(preprocessed).find();
  }

  static String guardedIncludes(List<String> headers) {
    StringBuilder sb = new StringBuilder();
    for (String h : headers) {
      sb.append("#if __has_include(<").append(h).append(">)\n#include <").append(h).append(">\n#endif\n");
    }
    return sb.toString();
  }

  /** `cc FLAGS -E -dD -x c -` on {@code source}; null when the compiler fails or is missing. */
  String probe(List<String> flags, String source) {
    String key = flags + "\n" + source;
    if (probes.containsKey(key)) return probes.get(key);
    String out = null;
    Path tmp = null;
    try {
      tmp = Files.createTempFile("bq2-probe", ".c");
      Files.writeString(tmp, source);
      List<String> cmd = new ArrayList<>(List.of(cc));
      cmd.addAll(flags);
      cmd.addAll(List.of("-E", "-dD", tmp.toString()));
      Path outFile = Files.createTempFile("bq2-probe", ".i");
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
            .redirectOutput(outFile.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        } else if (p.exitValue() == 0 && Files.size(outFile) < (64 << 20)) {
          out = Files.readString(outFile, StandardCharsets.ISO_8859_1);
        }
      } finally {
        Files.deleteIfExists(outFile);
      }
    } catch (IOException e) {
      out = null; // no such compiler: no evidence
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // a leftover temp file is harmless
        }
      }
    }
    probes.put(key, out);
    return out;
  }

  /** The last {@link #LOG_TAIL} bytes of the log, as lines (empty when there is no log). */
  private List<String> tail() {
    if (log == null || !Files.isRegularFile(log)) return List.of();
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, f.length() - LOG_TAIL);
      f.seek(start);
      byte[] b = new byte[(int) (f.length() - start)];
      f.readFully(b);
      return List.of(new String(b, StandardCharsets.ISO_8859_1).split("\r?\n"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Symbols an excerpt says are undeclared or of unknown type, in order, without repeats. */
  static List<String> undeclaredSymbols(List<String> lines) {
    Pattern[] ps = {
      Pattern.compile("(?:implicit declaration of function|call to undeclared function|unknown type name|"
          + "undeclared identifier) [`'‘\"]([A-Za-z_]\\w*)"),
      Pattern.compile("[`'‘\"]([A-Za-z_]\\w*)['’\"] undeclared"),
      Pattern.compile("[`'‘\"]([A-Za-z_]\\w*)['’\"] was not declared in this scope"),
      Pattern.compile("type [`'‘\"](?:struct|union) ([A-Za-z_]\\w*)['’\"]"),
    };
    // gcc names the variable, not its type, for an unknown struct ("storage size of 'sa' isn't
    // known"); the type is on the source line it quotes next ("  4 |   struct sigaction sa;").
    Pattern incomplete = Pattern.compile("(?:storage size of|variable|field) [`'‘\"]([A-Za-z_]\\w*)['’\"] "
        + "(?:isn['’]t known|has initializer but incomplete type|has incomplete type)");
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      for (Pattern p : ps) {
        Matcher m = p.matcher(l);
        while (m.find()) out.add(m.group(1));
      }
      Matcher v = incomplete.matcher(l);
      if (v.find()) {
        Pattern decl = Pattern.compile("\\b(?:struct|union)\\s+([A-Za-z_]\\w*)\\s*\\**\\s*" + Pattern.quote(v.group(1)) + "\\b");
        for (int j = i + 1; j < Math.min(lines.size(), i + 3); j++) {
          Matcher dm = decl.matcher(lines.get(j));
          if (dm.find()) out.add(dm.group(1));
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** The source file a compiler diagnostic line is about (text before the first ':'), or null. */
  static String diagnosticFile(String line) {
    Matcher m = Pattern.compile("^\\s*([^\\s:]+\\.(?:c|h|cc|cpp|cxx|C|hpp|hh|i)):").matcher(line);
    return m.find() ? m.group(1) : null;
  }
}
