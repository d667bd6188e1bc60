package dev.bq2.diagnose;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The decisive error lines of a step's output log, found by reading the file backwards in
 * fixed-size chunks: a 1 GiB log costs no more memory than a 1 KiB one, and the scan stops once
 * the cluster of errors at the end has been read, after a byte budget, or at a lower bound (the
 * start of the failed command's output: what earlier commands printed is not this failure).
 *
 * <p>Decisive lines come in three kinds: <em>root</em> lines say what went wrong (a compiler or
 * linker error, `configure: error:`, make's "No rule to make target", a tool that is missing);
 * <em>echoes</em> repeat that something failed (`collect2: error: ld returned 1 exit status`,
 * `all warnings being treated as errors`); make's summaries (`make[1]: *** [...] Error 1`) only
 * say which target failed. make's and libtool's bookkeeping (`Waiting for unfinished jobs`,
 * `Entering/Leaving directory`, `mv -f .deps/...`, `libtool: link: ...`, recipe echoes) and the
 * runner's notes that quote a command line are never decisive, whatever they quote.
 *
 * @param lines decisive lines with a little context, oldest first, at most {@link #MAX_LINES}
 * @param decisive the decisive lines alone, oldest first
 * @param scannedBytes how many bytes from the end were read
 * @param reachedStart whether every line down to the lower bound was looked at (the scan did not
 *     stop early on the budget, the line cap or the end of the error cluster)
 */
public record LogExcerpt(List<String> lines, List<String> decisive, long scannedBytes, boolean reachedStart) {
  public static final int MAX_LINES = 40;
  public static final long SCAN_BUDGET = 64L << 20;
  /** Lines of context kept before and after each decisive line. */
  static final int CONTEXT = 2;
  /** Longer lines are cut: a log without newlines (or a binary blob) must not grow the buffer. */
  static final int MAX_LINE_BYTES = 4096;
  /** After the last decisive line, this many ordinary lines end the error cluster. */
  static final int CLUSTER_GAP = 2000;
  /** Primary (non-make-summary) decisive lines after which we have enough. */
  static final int ENOUGH_PRIMARY = 12;
  private static final int CHUNK = 64 * 1024;

  /**
   * Cheap pre-filter (plain substring search, no regex): a line containing none of these cannot
   * match {@link #PRIMARY} or {@link #MAKE_SUMMARY}. Keeps the no-error worst case fast.
   */
  private static final String[] NEEDLES = {
    "rror", "undefined reference", "multiple definition", "No such file", "not found", "***", "illed",
    "FAILED", "missing", "unable to guess", "not declared", "implicit declaration", "ignal",
    "does not name a type", "cannot guess", "Segmentation", "out of memory", "Cannot allocate",
    "has not been declared", "is not a member of", "xec format", "cannot execute", "static link",
    "cannot find -l", "No rule to make", "Syntax error", "bad interpreter", "Could not open",
    "can not be used when making", "final link failed"
  };

  private static boolean prefilter(String line) {
    for (String n : NEEDLES) {
      if (line.contains(n)) return true;
    }
    return false;
  }

  /**
   * The needles as bytes, indexed by their first byte (all needles are ASCII); `\r` and NUL
   * map to {@link #UNSURE}: such lines are changed before matching, so they take the slow path.
   */
  private static final byte[][][] NEEDLES_BY_FIRST_BYTE = new byte[128][][];
  private static final byte[][] UNSURE = new byte[0][];

  static {
    for (String n : NEEDLES) {
      byte[] b = n.getBytes(StandardCharsets.US_ASCII);
      byte[][] old = NEEDLES_BY_FIRST_BYTE[b[0]];
      byte[][] grown = old == null ? new byte[1][] : Arrays.copyOf(old, old.length + 1);
      grown[grown.length - 1] = b;
      NEEDLES_BY_FIRST_BYTE[b[0]] = grown;
    }
    NEEDLES_BY_FIRST_BYTE['\r'] = UNSURE;
    NEEDLES_BY_FIRST_BYTE[0] = UNSURE;
  }

  /**
   * False when the raw UTF-8 bytes of a line show it cannot pass {@link #prefilter(String)}, in
   * one pass and without decoding: an ASCII needle is in the decoded text exactly when its bytes
   * are in the raw bytes (UTF-8 decoding never changes or swallows an ASCII byte).
   */
  static boolean mayPassPrefilter(byte[] a, int off, int len) {
    int end = off + len;
    for (int i = off; i < end; i++) {
      int first = a[i];
      if (first < 0) continue;
      byte[][] candidates = NEEDLES_BY_FIRST_BYTE[first];
      if (candidates == null) continue;
      if (candidates == UNSURE) return true;
      for (byte[] n : candidates) {
        // the second-byte test avoids most calls
        if (i + n.length <= end && (n.length < 2 || a[i + 1] == n[1])
            && Arrays.equals(a, i, i + n.length, n, 0, n.length)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Lines that explain a failure (compiler, linker, configure, tools, kernel); each has a needle. */
  static final Pattern PRIMARY = Pattern.compile(String.join("|",
      "(?:^|\\s|:)(?:fatal )?error:",
      "No rule to make target",
      "Exec format error",
      "cannot execute binary file",
      "cannot execute: required file not found",
      ": \\d+: Syntax error:",
      "bad interpreter",
      "qemu-[\\w-]+: Could not open",
      "attempted static link of dynamic object",
      "cannot find -l",
      "relocation .* can not be used when making",
      "final link failed",
      "(?:^|: )(?:(?:line )?\\d+: )?[\\w./+-]+: (?:command )?not found\\s*$",
      "undefined reference to",
      "multiple definition of",
      "configure: error:",
      "CMake Error",
      "No such file or directory",
      "command not found",
      "WARNING: '[\\w.+-]+' is missing",
      "\\bhelp2man\\b.*(?:not found|missing)",
      "unable to guess system type",
      "cannot guess build type",
      "Hunk #\\d+ FAILED",
      "Hunks failed to apply",
      "\\[-Werror(?:=[^\\]]*)?\\]",
      "all warnings being treated as errors",
      "implicit declaration of function",
      "was not declared in this scope",
      "does not name a type",
      "^Killed\\b",
      "\\bKilled\\s*$",
      "killed by signal|terminated by signal|Segmentation fault|out of memory|Cannot allocate memory",
      "ld returned \\d+ exit status"));

  /** make's summary lines: decisive, but they only say *that* something failed. */
  static final Pattern MAKE_SUMMARY = Pattern.compile(
      "^g?make(?:\\[\\d+\\])?: \\*\\*\\*|^ninja: build stopped|Error \\d+\\s*$");

  /** Primary lines that only repeat that an error happened above them (the driver's or gcc's echo). */
  static final Pattern ECHO = Pattern.compile(String.join("|",
      "ld returned \\d+ exit status",
      "(?:all|some) warnings being treated as errors",
      "linker command failed with exit code",
      "final link failed"));

  /**
   * make's and libtool's bookkeeping and recipe echoes: a parallel make interleaves them in any
   * order, and a recipe echo may quote `error:` text or `-Werror` without anything having failed.
   */
  static final Pattern BOOKKEEPING = Pattern.compile(String.join("|",
      "^g?make(?:\\[\\d+\\])?: (?:\\*\\*\\* )?Waiting for unfinished jobs",
      "^g?make(?:\\[\\d+\\])?: (?:Entering|Leaving) directory",
      "^\\s*mv -f \\.deps/",
      "^libtool: (?:compile|link|install|finish|relink|warning|mode)\\b",
      // the runner's own notes that quote a command line (a script may contain "error:")
      "^Running in .*: |^Finished in [\\d.]+s \\(exit=-?\\d+\\): |^Step failed: Command failed \\(-?\\d+\\): ",
      "^\\s*(?:\\S*/)?(?:[\\w.]+-)*(?:gcc|cc|g\\+\\+|c\\+\\+|clang|clang\\+\\+|cpp|ld|ar|ranlib|strip|as|libtool"
          + "|install|mkdir|rm|mv|cp|ln|sed|echo|printf|test|cd|if|for|case|depbase=\\S*)\\s"));

  public static boolean isDecisive(String line) {
    return prefilter(line) && !BOOKKEEPING.matcher(line).find()
        && (PRIMARY.matcher(line).find() || MAKE_SUMMARY.matcher(line).find());
  }

  /** A root line: says what went wrong, not merely that something failed (see the class comment). */
  public static boolean isPrimary(String line) {
    return prefilter(line) && !BOOKKEEPING.matcher(line).find() && PRIMARY.matcher(line).find()
        && !ECHO.matcher(line).find();
  }

  /** The decisive lines that are root lines, oldest first (the signature's basis). */
  public List<String> primary() {
    return decisive.stream().filter(LogExcerpt::isPrimary).toList();
  }

  /** A tool's own last word before it exits: configure and CMake say why they stop in these lines. */
  static final Pattern EXIT_MESSAGE = Pattern.compile("configure: error:|CMake Error");

  /**
   * The line that caused the exit: configure's/CMake's own error message when there is one (a
   * configure run may print harmless `command not found` lines before it), else the first root
   * line, else the first echo (`ld returned 1 exit status`), else make's first (innermost)
   * summary; null when nothing is decisive.
   */
  public static String cause(List<String> lines) {
    for (String l : lines) {
      if (isPrimary(l) && EXIT_MESSAGE.matcher(l).find()) return l;
    }
    String echo = null;
    String summary = null;
    for (String l : lines) {
      if (!isDecisive(l)) continue;
      if (isPrimary(l)) return l;
      if (PRIMARY.matcher(l).find()) {
        if (echo == null) echo = l;
      } else if (summary == null) {
        summary = l;
      }
    }
    return echo != null ? echo : summary;
  }

  public static LogExcerpt read(Path log) throws IOException {
    return read(log, SCAN_BUDGET);
  }

  /** Reads backwards from the end of {@code log}, at most {@code budget} bytes. */
  public static LogExcerpt read(Path log, long budget) throws IOException {
    return read(log, budget, 0);
  }

  /**
   * Reads backwards from the end of {@code log} down to byte {@code from} (where the failed
   * command's output begins; 0 for the whole log), at most {@code budget} bytes. A {@code from}
   * beyond the end (a log that was truncated or replaced) reads the whole log.
   */
  public static LogExcerpt read(Path log, long budget, long from) throws IOException {
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      Scanner s = new Scanner();
      long size = ch.size();
      long floor = from < 0 || from > size ? 0 : from;
      long pos = size;
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      long scanned = 0;
      while (pos > floor && scanned < budget && !s.done()) {
        int n = (int) Math.min(CHUNK, pos - floor);
        pos -= n;
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) break;
        }
        scanned += n;
        s.feedChunk(buf.array(), n);
      }
      boolean reached = pos == floor && !s.done();
      if (pos == floor || scanned >= budget) s.finish();
      return s.result(scanned, reached);
    }
  }

  /**
   * The first root line at or after byte {@code from}, reading forwards at most {@code budget}
   * bytes (lines cut at {@link #MAX_LINE_BYTES}); null when there is none. The backwards scan stops
   * after a dozen root lines or at the end of the last error cluster, so for an output with more
   * errors than that it is the way to the first one, which is usually the one that matters.
   */
  public static String firstRoot(Path log, long from, long budget) throws IOException {
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      long size = ch.size();
      long pos = from < 0 || from > size ? 0 : from;
      long end = Math.min(size, pos + budget);
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      byte[] line = new byte[MAX_LINE_BYTES];
      int len = 0;
      while (pos < end) {
        buf.clear().limit((int) Math.min(CHUNK, end - pos));
        int n = ch.read(buf, pos);
        if (n <= 0) break;
        pos += n;
        byte[] a = buf.array();
        for (int i = 0; i < n; i++) {
          if (a[i] != '\n') {
            if (len < line.length) line[len++] = a[i];
            continue;
          }
          String root = rootOrNull(line, len);
          if (root != null) return root;
          len = 0;
        }
      }
      return rootOrNull(line, len);
    }
  }

  private static String rootOrNull(byte[] line, int len) {
    if (len == 0 || !mayPassPrefilter(line, 0, len)) return null;
    String text = new String(line, 0, len, StandardCharsets.UTF_8).replace("\r", "").replace('\0', ' ').stripTrailing();
    return isPrimary(text) ? text : null;
  }

  /** Splits bytes into lines from the end, keeping only what the excerpt needs. */
  private static final class Scanner {
    /**
     * The line being assembled, in file order, in {@code line[lineStart..MAX_LINE_BYTES)}: we read
     * backwards, so its bytes are prepended; a line longer than the buffer keeps its end.
     */
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int lineStart = MAX_LINE_BYTES;
    private boolean partialCut;
    private boolean sawAnyByte;
    /** Lines after the current one (file order), for "after" context; newest last. */
    private final Deque<Line> after = new ArrayDeque<>();
    /** Output in reverse file order. */
    private final List<String> out = new ArrayList<>();
    private final List<String> decisive = new ArrayList<>();
    private final List<String> tail = new ArrayList<>();
    private int beforeWanted;
    private int primary;
    private int sinceDecisive;
    /** Index (from the end) of the last line placed in `out`, to avoid repeating context. */
    private long lineNo;
    private long lastOut = -1;

    boolean done() {
      return out.size() >= MAX_LINES || primary >= ENOUGH_PRIMARY
          || (!decisive.isEmpty() && sinceDecisive > CLUSTER_GAP && beforeWanted == 0);
    }

    void feedChunk(byte[] a, int n) {
      if (done()) return;
      int end = n; // bytes [i + 1, end) belong to the line being assembled
      for (int i = n - 1; i >= 0; i--) {
        if (a[i] != '\n') continue;
        boolean any = sawAnyByte || end > i + 1;
        prepend(a, i + 1, end - i - 1);
        if (any) endLine();
        sawAnyByte = true;
        end = i;
        if (done()) return; // only a completed line changes done()
      }
      prepend(a, 0, end);
      if (end > 0) sawAnyByte = true;
    }

    private void prepend(byte[] a, int off, int len) {
      int take = Math.min(len, lineStart);
      if (take < len) partialCut = true;
      System.arraycopy(a, off + len - take, line, lineStart - take, take);
      lineStart -= take;
    }

    void finish() {
      if (lineStart < MAX_LINE_BYTES || partialCut) endLine();
    }

    /** Completes the line collected in `line` and classifies it. */
    private void endLine() {
      int len = MAX_LINE_BYTES - lineStart;
      boolean mayMatter = mayPassPrefilter(line, lineStart, len);
      Line raw = new Line(Arrays.copyOfRange(line, lineStart, MAX_LINE_BYTES), partialCut);
      lineStart = MAX_LINE_BYTES;
      partialCut = false;
      // Fast path, same outcome as accept(): a line that cannot be decisive, when neither the
      // tail nor "before" context wants it, is kept only as raw bytes for "after" context.
      if (!mayMatter && tail.size() >= 10 && beforeWanted == 0) {
        lineNo++;
        sinceDecisive++;
        remember(raw);
        return;
      }
      accept(raw.text(), raw);
    }

    private void remember(Line line) {
      after.addLast(line);
      if (after.size() > CONTEXT) after.removeFirst();
    }

    private void accept(String line, Line raw) {
      long idx = lineNo++;
      if (tail.size() < 10 && !line.isBlank()) tail.add(line);
      boolean dec = isDecisive(line);
      if (dec) {
        // "after" context: the lines just scanned follow this one in the file; add them
        // farthest first so `out` stays in reverse file order (increasing idx)
        List<String> ctx = new ArrayList<>();
        for (Line l : after) ctx.add(l.text());
        for (int i = Math.max(0, ctx.size() - CONTEXT); i < ctx.size(); i++) {
          long ctxIdx = idx - (ctx.size() - i);
          if (ctxIdx > lastOut && ctxIdx >= 0 && !ctx.get(i).isBlank()) add(ctx.get(i), ctxIdx);
        }
        add(line, idx);
        decisive.add(line);
        if (isPrimary(line)) primary++;
        sinceDecisive = 0;
        beforeWanted = CONTEXT;
      } else {
        if (beforeWanted > 0 && !line.isBlank()) {
          add(line, idx);
          beforeWanted--;
        }
        sinceDecisive++;
      }
      remember(raw);
    }

    private void add(String line, long idx) {
      if (idx <= lastOut && lastOut >= 0) return;
      if (out.size() >= MAX_LINES) return;
      out.add(line);
      lastOut = idx;
    }

    /** A line's bytes in file order; decoded to text only when it is shown. */
    private static final class Line {
      private final byte[] fwd;
      private final boolean cut;
      private String text;

      Line(byte[] fwd, boolean cut) {
        this.fwd = fwd;
        this.cut = cut;
      }

      String text() {
        if (text == null) {
          String line = new String(fwd, StandardCharsets.UTF_8);
          if (line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0) line = line.replace("\r", "").replace('\0', ' ');
          // A cut line keeps its end (the part nearest the error text); mark the cut.
          if (cut) line = "…" + line;
          text = line.stripTrailing();
        }
        return text;
      }
    }

    LogExcerpt result(long scanned, boolean reached) {
      List<String> lines = new ArrayList<>(out);
      Collections.reverse(lines);
      List<String> dec = new ArrayList<>(decisive);
      Collections.reverse(dec);
      if (lines.isEmpty()) {
        // Nothing decisive: the last few non-blank lines are the best we can show.
        lines = new ArrayList<>(tail);
        Collections.reverse(lines);
      }
      return new LogExcerpt(List.copyOf(lines), List.copyOf(dec), scanned, reached);
    }
  }
}
