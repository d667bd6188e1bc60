package dev.bq2.diagnose;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The stable identity of a failure: sha256 over phase, step, class and the root error lines with
 * everything that changes between runs (temp dirs, line:col, addresses, times, durations, job counts,
 * make levels) normalised away, so the same failure in a new run or checkout gets the same signature.
 * The lines enter as a sorted set: a parallel make prints the same errors in any order, and the
 * make summaries for sibling targets ("Error 1" here, "Error 2" there) differ from run to run, so
 * summaries count only when there is no root line at all.
 */
public final class Signature {
  private static final Pattern TIME_ISO =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z| ?UTC|[+-]\\d{2}:?\\d{2})?");
  private static final Pattern TIME_COMPACT = Pattern.compile("\\d{8}T\\d{6}(?:\\.\\d+)?Z");
  /** An absolute or ./relative path with at least one slash: keep only its last component. */
  private static final Pattern PATH = Pattern.compile("(?<![\\w.-])(?:\\.{0,2}/)?(?:[\\w.+@%~-]+/)+([\\w.+@%~-]+)");
  private static final Pattern ROOT_PATH = Pattern.compile("(?<![\\w.-])/(?:[\\w.+@%~-]+/)*([\\w.+@%~-]+)");
  /** gcc/ld temp objects (`/tmp/ccAbC123.o`) and our own hex8 file suffixes. */
  private static final Pattern CC_TEMP = Pattern.compile("\\bcc[A-Za-z0-9]{6}\\.(o|s|i|res|le|ltrans\\d*\\.o)\\b");
  private static final Pattern HEX = Pattern.compile("\\b0x[0-9a-fA-F]+\\b");
  private static final Pattern LINE_COL = Pattern.compile(":\\d+(?::\\d+)?(?=[:)\\]\\s,]|$)");
  private static final Pattern PAREN_LINE = Pattern.compile("\\(\\+?0x[0-9a-fA-F]+\\)|\\(line \\d+\\)");
  private static final Pattern JOBS = Pattern.compile("(?<=\\s|^)-j\\s?\\d+|--jobs(?:=|\\s)\\d+|--parallel=\\d+");
  private static final Pattern HEX_ID = Pattern.compile("\\b[0-9a-f]{8,}\\b");
  private static final Pattern PID = Pattern.compile("\\b(?:pid|PID)[ =:]*\\d+");
  /** Elapsed times (`Finished in 0.039s`, `in 323.2ms`): they differ on every run of the same failure. */
  private static final Pattern DURATION = Pattern.compile("(?<![\\w.])\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s)(?!\\w)");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  /** `make[2]:` and `make:` are the same make for the failure: recursion depth is layout, not cause. */
  private static final Pattern MAKE_LEVEL = Pattern.compile("^(g?make)\\[\\d+\\]:");

  private Signature() {}

  /** One line as it enters the signature. */
  public static String normalise(String line) {
    String s = line.strip();
    s = MAKE_LEVEL.matcher(s).replaceAll("$1:");
    s = TIME_ISO.matcher(s).replaceAll("<time>");
    s = TIME_COMPACT.matcher(s).replaceAll("<time>");
    s = PATH.matcher(s).replaceAll("$1");
    s = ROOT_PATH.matcher(s).replaceAll("$1");
    s = CC_TEMP.matcher(s).replaceAll("cc*.$1");
    s = HEX.matcher(s).replaceAll("0x*");
    s = PAREN_LINE.matcher(s).replaceAll("(*)");
    s = LINE_COL.matcher(s).replaceAll(":*");
    s = JOBS.matcher(s).replaceAll("-j*");
    s = DURATION.matcher(s).replaceAll("<duration>");
    s = PID.matcher(s).replaceAll("pid *");
    s = HEX_ID.matcher(s).replaceAll("*");
    // Quotes differ by locale (`x' vs ‘x’); spacing by terminal width.
    s = s.replace('‘', '\'').replace('’', '\'').replace('`', '\'');
    s = SPACES.matcher(s).replaceAll(" ").strip();
    return s;
  }

  /**
   * @param decisive the decisive lines of the failed command's output, any order; the root lines
   *     among them are used, else all of them (make summaries); with none, {@code error}
   */
  public static String of(String phase, String step, FailureClass cls, List<String> decisive, String error) {
    StringBuilder sb = new StringBuilder();
    sb.append(phase).append('\n').append(step).append('\n').append(cls.name().toLowerCase(Locale.ROOT)).append('\n');
    List<String> basis = basis(decisive);
    if (basis.isEmpty()) {
      sb.append(normalise(error == null ? "" : error)).append('\n');
    } else {
      basis.forEach(l -> sb.append(l).append('\n'));
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The normalised lines a signature is computed from: root lines (else summaries), distinct, sorted. */
  public static List<String> basis(List<String> decisive) {
    List<String> dec = decisive.stream().filter(LogExcerpt::isDecisive).toList();
    List<String> primary = dec.stream().filter(LogExcerpt::isPrimary).toList();
    return (primary.isEmpty() ? dec : primary).stream().map(Signature::normalise).distinct().sorted().toList();
  }
}
