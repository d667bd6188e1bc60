package dev.bq2.diagnose;

import dev.bq2.Bq2Exception;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a failure report (and its output log) into a {@link Diagnosis}: the decisive excerpt
 * (from the failed command's own output when the report has `output_offset`), the line that
 * caused the exit, a failure class from the command and the error text, and a stable signature.
 */
public final class Diagnoser {
  private static final Pattern LINK_TEXT = Pattern.compile(
      "undefined reference to|multiple definition of|ld returned \\d+ exit status|collect2: error"
          + "|cannot find -l|relocation .* against|ld: .*error");
  private static final Pattern OOM_TEXT = Pattern.compile(
      "^Killed\\b|\\bKilled\\s*$|killed by signal 9|signal 9 \\[Killed\\]|out of memory|Cannot allocate memory"
          + "|virtual memory exhausted|internal compiler error: Killed");
  private static final Pattern CONFIGURE_TEXT = Pattern.compile(
      "configure: error:|CMake Error|unable to guess system type|cannot guess build type");
  private static final Pattern PATCH_TEXT = Pattern.compile("Hunk #\\d+ FAILED|Hunks failed to apply|Patch failed|patch does not apply");
  private static final Pattern DOWNLOAD_TEXT = Pattern.compile(
      "failed with HTTP|Checksum mismatch|Empty download|Missing source tarball|Could not resolve host|Connection refused");
  private static final Pattern NAMESPACE_TEXT = Pattern.compile(
      "(?i)user namespaces?|unshare|namespace.*(?:unavailable|not permitted|failed)|Operation not permitted.*(?:mount|pivot_root)|newuidmap|setgroups");
  /** A target binary run on the build machine: the kernel or the shell refuses it as it stands. */
  private static final Pattern CROSS_TEXT = Pattern.compile(
      "Exec format error|cannot execute binary file|qemu-[\\w-]+: Could not open");
  /**
   * The program named here exists but cannot be started as it is (bash: its ELF interpreter is
   * missing), or dash ran an ELF file as a script after ENOEXEC (a syntax error, a "line" of its
   * bytes "not found", a redirection it "cannot open", on whatever line): a target binary when it is ELF.
   */
  private static final Pattern MAYBE_CROSS = Pattern.compile(
      "([^\\s:]+): cannot execute: required file not found"
          + "|(?:^|: )([^\\s:]+): (?:\\d+: (?:Syntax error:|cannot open |.*: not found)|line \\d+: syntax error)");
  private static final java.util.Set<String> SHELLS = java.util.Set.of("sh", "bash", "dash", "ash", "ksh", "zsh", "busybox");
  /** "not found" from a shell, or make's own exec failing: group 1 names the program. */
  private static final Pattern NOT_FOUND = Pattern.compile(
      "(?:^|: )(?:(?:line )?\\d+: )?([\\w./+-]+): (?:command )?not found\\s*$"
          + "|^g?make(?:\\[\\d+\\])?: ([^\\s:*]+): (?:No such file or directory|Command not found)\\s*$");
  /** A tool named as missing outright: automake's `missing` script, env, a script's #! line. */
  private static final Pattern MISSING_TOOL_TEXT = Pattern.compile(
      "WARNING: '[\\w.+-]+' is missing on your system"
          + "|\\benv: [‘'\"]?[\\w.+-]+[’'\"]?: No such file or directory"
          + "|: bad interpreter: No such file or directory");
  private static final Pattern STATIC_TEXT = Pattern.compile("attempted static link of dynamic object");
  private static final Pattern CANNOT_FIND_LIB = Pattern.compile("cannot find -l");
  private static final Pattern STATIC_FLAG = Pattern.compile("(?:^|\\s)-static(?:\\s|$)");
  private static final Pattern COMPILE_TEXT = Pattern.compile(
      "(?:^|\\s|:)(?:fatal )?error:|\\[-Werror|warnings being treated as errors|implicit declaration|not declared in this scope|does not name a type");

  /** How far the search for the failed command's first error reads forwards. */
  static final long FIRST_ROOT_BUDGET = 16L << 20;

  private Diagnoser() {}

  /** Reads the report and its log; a log that is gone only means a thinner excerpt. */
  public static Diagnosis diagnose(Path reportFile) {
    return diagnose(reportFile, ReportFiles.read(reportFile));
  }

  /** As {@link #diagnose(Path)}, for a caller that has read {@code reportFile} already. */
  public static Diagnosis diagnose(Path reportFile, FailureReport r) {
    return diagnose(reportFile, r, List.of());
  }

  /** As above; {@code logRoots} are further folders whose logs may be read (a runner's `--log-dir`). */
  public static Diagnosis diagnose(Path reportFile, FailureReport r, List<Path> logRoots) {
    String where = reportFile.toString();
    if (r.phase() == null || r.phase().name() == null) {
      throw Bq2Exception.badInput(where + ": field phase.name: missing; a failure report names its phase (docs/formats.md#upstream-formats)");
    }
    if (r.step() == null || r.step().name() == null) {
      throw Bq2Exception.badInput(where + ": field step.name: missing; a failure report names its step (docs/formats.md#upstream-formats)");
    }
    Path log = resolveLog(reportFile, r.outputLog(), logRoots);
    LogExcerpt ex = null;
    if (log != null) {
      try {
        // Only the failed command's output: a tolerated `make distclean` before it is not the failure.
        long from = r.outputOffset() == null ? 0 : r.outputOffset();
        ex = LogExcerpt.read(log, LogExcerpt.SCAN_BUDGET, from);
      } catch (IOException e) {
        ex = null;
      }
    }
    List<String> excerpt = ex == null ? List.of() : ex.lines();
    List<String> decisive = ex == null ? List.of() : ex.decisive();
    if (excerpt.isEmpty() && r.logTail() != null) excerpt = tailOf(r.logTail());
    if (decisive.isEmpty() && r.logTail() != null) {
      decisive = r.logTail().stream().filter(LogExcerpt::isDecisive).toList();
    }
    String cause = LogExcerpt.cause(decisive);
    if (log != null && ex != null && r.outputOffset() != null && !ex.reachedStart() && ex.primary().size() > 0
        && (cause == null || !LogExcerpt.EXIT_MESSAGE.matcher(cause).find())) {
      // The backwards scan stopped before the failed command's first line: find its first error.
      // Only with output_offset: without it the start of the log is other commands' output.
      try {
        String first = LogExcerpt.firstRoot(log, r.outputOffset(), FIRST_ROOT_BUDGET);
        if (first != null) cause = first;
      } catch (IOException e) {
        // keep the cause the backwards scan found
      }
    }
    FailureClass cls = classify(r, excerpt);
    String sig = Signature.of(r.phase().name(), r.step().name(), cls, decisive, r.error());
    return new Diagnosis(reportFile, r.phase().name(), r.step().name(), cls, r.error(), r.exitCode(),
        log, excerpt, sig, cause);
  }

  private static List<String> tailOf(List<String> t) {
    return t.size() <= LogExcerpt.MAX_LINES ? List.copyOf(t) : List.copyOf(t.subList(t.size() - LogExcerpt.MAX_LINES, t.size()));
  }

  /**
   * The report's `output_log`; when that path does not exist here (namespace-local paths,
   * a copied report) the log of the same name beside the report, which is where it is written.
   */
  static Path resolveLog(Path reportFile, String outputLog) {
    return resolveLog(reportFile, outputLog, List.of());
  }

  /**
   * As above, but only a log inside a folder where logs of this report live: the report's own
   * folder, its sibling `sysroot-build-logs` (the rootfs layout) or `logs` (a session's copies),
   * or one of {@code logRoots} (a `--log-dir`). A report is data anyone may have edited; its
   * `output_log` naming `/etc/shadow` must not put that file into an excerpt sent to an assistant.
   */
  static Path resolveLog(Path reportFile, String outputLog, List<Path> logRoots) {
    if (outputLog == null || outputLog.isBlank() || outputLog.indexOf('\0') >= 0) return null;
    Path dir = reportFile.toAbsolutePath().getParent();
    List<Path> roots = new ArrayList<>(logRoots);
    if (dir != null) {
      roots.add(dir);
      if (dir.getParent() != null) {
        roots.add(dir.getParent().resolve("sysroot-build-logs"));
        roots.add(dir.getParent().resolve("logs"));
      }
    }
    Path p = Path.of(outputLog);
    if (Files.isRegularFile(p) && inside(p, roots)) return p;
    if (dir != null && p.getFileName() != null) {
      Path beside = dir.resolve(p.getFileName().toString());
      if (Files.isRegularFile(beside) && inside(beside, roots)) return beside;
    }
    return null;
  }

  /** True when the file's real path (symlinks resolved) is under one of the roots' real paths. */
  private static boolean inside(Path file, List<Path> roots) {
    try {
      Path real = file.toRealPath();
      for (Path r : roots) {
        if (Files.isDirectory(r) && real.startsWith(r.toRealPath())) return true;
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }


  /** The failure class, from exit code, error text, command and excerpt, most specific first. */
  public static FailureClass classify(FailureReport r, List<String> excerpt) {
    String error = r.error() == null ? "" : r.error();
    List<String> text = new ArrayList<>(excerpt);
    text.add(error);
    Integer exit = r.exitCode();
    String lowerErr = error.toLowerCase(Locale.ROOT);
    if (lowerErr.contains("stalled") || lowerErr.contains("no output for")) return FailureClass.STALLED;
    if (exit != null && (exit == 130 || exit == 143) || lowerErr.contains("interrupted")
        || lowerErr.contains("terminated by sigterm")) {
      return FailureClass.INTERRUPTED;
    }
    if (exit != null && exit == 137 || any(text, OOM_TEXT)) return FailureClass.OUT_OF_MEMORY;
    if (any(text, PATCH_TEXT) || lowerErr.contains("patch")) return FailureClass.PATCH;
    String strategy = r.step() == null ? null : r.step().strategy();
    if (any(List.of(error), DOWNLOAD_TEXT) || "download-sources".equals(strategy)
        || "extract-sources".equals(strategy) && error.contains("Missing source tarball")) {
      return FailureClass.DOWNLOAD;
    }
    if (r.command() == null && any(List.of(error), NAMESPACE_TEXT)) return FailureClass.NAMESPACE;
    List<String> argv = r.command() == null ? List.of() : commandWords(r.command());
    String tool = argv.isEmpty() ? "" : Path.of(argv.get(0)).getFileName().toString();
    boolean make = tool.equals("make") || tool.equals("gmake") || tool.equals("ninja");
    boolean cmake = tool.equals("cmake");
    if (tool.equals("configure") || tool.equals("bootstrap") || cmake && argv.contains("-S")
        || cmake && !argv.contains("--build") && !argv.contains("--install")) {
      return FailureClass.CONFIGURE;
    }
    // The line that caused the exit decides between kinds; only without a root line (a bare make
    // summary, say) does any line of the excerpt count.
    String cause = LogExcerpt.cause(excerpt);
    List<String> evidence = cause != null && LogExcerpt.isPrimary(cause) ? List.of(cause) : text;
    FailureClass special = special(r, evidence, text, argv);
    if (special != null) return special;
    if (make && argv.stream().anyMatch(a -> a.equals("install") || a.startsWith("install-"))
        || cmake && argv.contains("--install")) {
      return FailureClass.INSTALL;
    }
    if (any(text, CONFIGURE_TEXT) && !make) return FailureClass.CONFIGURE;
    if (any(text, LINK_TEXT)) return FailureClass.LINK;
    if (make || cmake || any(text, COMPILE_TEXT)) {
      return any(text, COMPILE_TEXT) || make || cmake ? FailureClass.COMPILE : FailureClass.UNKNOWN;
    }
    if (any(text, CONFIGURE_TEXT)) return FailureClass.CONFIGURE;
    return FailureClass.UNKNOWN;
  }

  /**
   * cross_exec, static_link or missing_tool when {@code evidence} shows one (see docs/propose.md,
   * "Failure classes"); null otherwise. {@code all} is the whole excerpt, for the `-static` flag.
   */
  private static FailureClass special(FailureReport r, List<String> evidence, List<String> all, List<String> argv) {
    for (String l : evidence) {
      if (l == null) continue;
      if (CROSS_TEXT.matcher(l).find()) return FailureClass.CROSS_EXEC;
      Matcher m = MAYBE_CROSS.matcher(l);
      if (m.find()) {
        String prog = m.group(1) != null ? m.group(1) : m.group(2);
        // `/bin/sh: 1: x: not found` names the shell itself (an ELF, but not the target's)
        Boolean elf = SHELLS.contains(Path.of(prog).getFileName().toString()) ? Boolean.FALSE : isElf(r, prog);
        // bash's "required file not found": an ELF file (or one we cannot see) lacks its target's
        // loader; a script lacks its interpreter (a missing tool). A syntax error is cross only for ELF.
        if (Boolean.TRUE.equals(elf) || m.group(1) != null && elf == null) return FailureClass.CROSS_EXEC;
        if (m.group(1) != null) return FailureClass.MISSING_TOOL;
      }
      if (STATIC_TEXT.matcher(l).find()) return FailureClass.STATIC_LINK;
      if (CANNOT_FIND_LIB.matcher(l).find() && staticBuild(r, all, argv)) return FailureClass.STATIC_LINK;
      if (MISSING_TOOL_TEXT.matcher(l).find()) return FailureClass.MISSING_TOOL;
      Matcher nf = NOT_FOUND.matcher(l);
      if (nf.find()) {
        String prog = nf.group(1) != null ? nf.group(1) : nf.group(2);
        if (Boolean.TRUE.equals(isElf(r, prog))) return FailureClass.CROSS_EXEC;
        // a bare name was looked up in PATH (or an absolute path named): a tool; `./gen` is a product
        if (!prog.contains("/") || prog.startsWith("/")) return FailureClass.MISSING_TOOL;
      }
    }
    return null;
  }

  /** Whether this link was static: `-static` in the step's flags, the command, or a recipe echo. */
  private static boolean staticBuild(FailureReport r, List<String> excerpt, List<String> argv) {
    List<String> words = new ArrayList<>(argv);
    if (r.step() != null && r.step().effectiveEnv() != null) words.addAll(r.step().effectiveEnv().values());
    if (r.step() != null && r.step().env() != null) words.addAll(r.step().env().values());
    if (r.phase() != null && r.phase().env() != null) words.addAll(r.phase().env().values());
    words.addAll(excerpt);
    return any(words, STATIC_FLAG);
  }

  /**
   * Whether {@code prog} (as the shell named it, relative to the step's workdir) is an ELF file;
   * null when there is no such file here to look at.
   */
  static Boolean isElf(FailureReport r, String prog) {
    if (prog == null || prog.isEmpty()) return null;
    Path p;
    try {
      p = Path.of(prog);
      if (!p.isAbsolute()) {
        String wd = r.step() == null ? null : r.step().workdir();
        if (wd == null || !Path.of(wd).isAbsolute() || !prog.contains("/")) return null;
        p = Path.of(wd).resolve(p);
      }
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
    if (!Files.isRegularFile(p)) return null;
    try (java.io.InputStream in = Files.newInputStream(p)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
    } catch (IOException e) {
      return null;
    }
  }

  /** The argv, or for `sh -c SCRIPT` the script's words, so a shell step that runs make counts as make. */
  public static List<String> commandWords(List<String> argv) {
    if (argv.size() >= 3) {
      String tool = Path.of(argv.get(0)).getFileName().toString();
      int c = argv.indexOf("-c");
      if ((tool.equals("sh") || tool.equals("bash") || tool.equals("dash")) && c > 0 && c + 1 < argv.size()) {
        return List.of(argv.get(c + 1).trim().split("\\s+"));
      }
    }
    return argv;
  }

  private static boolean any(List<String> lines, Pattern p) {
    for (String l : lines) {
      if (l != null && p.matcher(l).find()) return true;
    }
    return false;
  }
}
