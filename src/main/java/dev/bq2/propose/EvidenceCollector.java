package dev.bq2.propose;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.namespace.Bind;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.runner.RootView;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects {@link Evidence} for one failure, cheaply and with bounds (docs/propose.md,
 * "Evidence"). Package files are only read, never run: `./configure --help` text is read from
 * the script (autoconf embeds it literally), CMake and meson files are parsed as text. Only the
 * phase's compiler is run (`--version`, `-dumpmachine`, one preprocessor call), and only for
 * host phases, whose compiler runs on this machine anyway.
 */
public final class EvidenceCollector {
  /** Bytes of `configure` read at most. */
  static final long CONFIGURE_LIMIT = 8L << 20;
  /** CMake files read at most, and bytes per file / in total. */
  static final int CMAKE_FILES = 300;
  static final long CMAKE_FILE_LIMIT = 1L << 20;
  static final long CMAKE_TOTAL_LIMIT = 8L << 20;
  /** Bytes read from the end of `config.log` and of the step log. */
  static final int LOG_TAIL = 512 << 10;
  /** Lines of the failed check from `config.log` at most. */
  static final int CONFIG_LOG_LINES = 40;
  /** Switches kept at most. */
  static final int SWITCHES = 400;

  private EvidenceCollector() {}

  /** The evidence for this request; never throws for unreadable package files (they become notes). */
  public static Evidence collect(ProposalRequest req) {
    List<String> notes = new ArrayList<>();
    FailureReport report = readReport(req.diagnosis());
    Path wd = hostWorkdir(req, report, notes);
    List<String> stepLog = report == null || report.outputLog() == null ? List.of()
        : tailLines(Path.of(report.outputLog()), LOG_TAIL);
    List<Evidence.Switch> switches = new ArrayList<>();
    List<String> configLog = List.of();
    List<String> cacheVars = new ArrayList<>();
    List<String> cmakeErrors = new ArrayList<>();
    List<String> failingDirs = List.of();
    if (wd != null) {
      Path configure = wd.resolve("configure");
      String script = null;
      if (Files.isRegularFile(configure)) {
        script = readBounded(configure, CONFIGURE_LIMIT, notes);
        if (script != null) switches.addAll(configureSwitches(script));
      }
      Path srcDir = cmakeSourceDir(req, wd);
      if (srcDir != null && Files.isRegularFile(srcDir.resolve("CMakeLists.txt"))) {
        CmakeModel model = CmakeModel.read(srcDir, req.step() == null ? null : req.step().buildDir(), notes);
        cmakeErrors.addAll(cmakeErrorLocations(stepLog, srcDir));
        switches.addAll(model.switches(cmakeErrors));
      }
      for (String name : List.of("meson_options.txt", "meson.options")) {
        Path f = wd.resolve(name);
        if (Files.isRegularFile(f)) {
          String text = readBounded(f, CMAKE_FILE_LIMIT, notes);
          if (text != null) switches.addAll(mesonSwitches(text));
        }
      }
      Path log = configLogPath(req, wd);
      if (log != null) {
        List<String> lines = tailLines(log, LOG_TAIL);
        configLog = failedCheck(lines);
        if (script != null) cacheVars.addAll(runTestCacheVariables(lines, script));
      }
      failingDirs = failingDirs(stepLog, wd);
    }
    if (switches.size() > SWITCHES) {
      notes.add(switches.size() + " switches found, the first " + SWITCHES + " kept");
      switches = new ArrayList<>(switches.subList(0, SWITCHES));
    }
    Evidence.Toolchain tc = toolchain(req);
    return new Evidence(wd == null ? null : wd.toString(), tc, switches, configLog, cacheVars, cmakeErrors,
        failingDirs, notes);
  }

  private static FailureReport readReport(Diagnosis d) {
    if (d == null || d.report() == null || !Files.isRegularFile(d.report())) return null;
    try {
      return ReportFiles.read(d.report());
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- where the step ran

  private static final Pattern STEP_NOTE = Pattern.compile("^Step (\\S+)/(\\S+) \\(strategy [^)]*\\) in (/.*)$");

  /**
   * The step's workdir on this machine: the directory the runner names in the step log (it
   * writes `Step P/S (strategy X) in <host dir>` first), else the plan path itself for host
   * phases, else the plan path mapped through the rootfs the report lies in, the way the runner
   * maps it ({@link RootView}). Null rather than a host path that may be the wrong tree: a
   * seed/bq2 workdir such as `/build/pkg` is never read on the host's `/`.
   */
  static Path hostWorkdir(ProposalRequest req, FailureReport report, List<String> notes) {
    BuildStep step = req.step();
    if (step == null) return null;
    if (report != null && report.outputLog() != null) {
      for (String line : headLines(Path.of(report.outputLog()), 64 << 10)) {
        Matcher m = STEP_NOTE.matcher(line);
        if (m.matches() && m.group(2).equals(step.name()) && Files.isDirectory(Path.of(m.group(3)))) {
          return Path.of(m.group(3));
        }
      }
    }
    if (step.workdir() == null) return null;
    BuildPhase phase = req.phase();
    String ns = phase == null || phase.namespace() == null ? "host" : phase.namespace().toLowerCase(Locale.ROOT);
    if (ns.equals("host")) {
      Path p = Path.of(step.workdir()).toAbsolutePath().normalize();
      return Files.isDirectory(p) ? p : null;
    }
    Path rootfs = rootfsOfReport(req.diagnosis());
    if (rootfs == null) {
      notes.add("the workdir " + step.workdir() + " is inside the " + ns + " rootfs, whose location is unknown; not read");
      return null;
    }
    RootView view = rootView(ns, rootfs);
    if (view == null) {
      notes.add("the " + ns + " rootfs of " + rootfs + " is not in the expected layout; the workdir is not read");
      return null;
    }
    Path p = view.hostPath(step.workdir(), view.root());
    return Files.isDirectory(p) ? p : null;
  }

  /** `<rootfs>/var/lib/sysroot-build-reports/x.json` → `<rootfs>`, else null. */
  static Path rootfsOfReport(Diagnosis d) {
    if (d == null || d.report() == null) return null;
    Path r = d.report().toAbsolutePath().normalize();
    Path dir = r.getParent();
    if (dir == null || !dir.getFileName().toString().equals("sysroot-build-reports")) return null;
    Path lib = dir.getParent();
    Path var = lib == null ? null : lib.getParent();
    if (var == null || !lib.getFileName().toString().equals("lib") || !var.getFileName().toString().equals("var")) return null;
    return var.getParent();
  }

  /** The view the runner's {@code NamespacePolicy} builds for a seed/bq2 phase of this rootfs (no probe). */
  static RootView rootView(String ns, Path bq2Rootfs) {
    Path b = bq2Rootfs.toAbsolutePath().normalize();
    Path seed = b.getFileName() != null && b.getFileName().toString().equals("bq2-rootfs") ? b.getParent() : null;
    if (ns.equals("seed")) return seed == null ? null : new RootView("seed", seed, List.of());
    if (!ns.equals("bq2")) return null;
    List<Bind> binds = new ArrayList<>();
    if (seed != null && Files.isDirectory(seed.resolve("opt/sysroot"))) binds.add(new Bind(seed.resolve("opt/sysroot"), "/opt/sysroot"));
    return new RootView("bq2", b, binds);
  }

  private static Path cmakeSourceDir(ProposalRequest req, Path wd) {
    String src = null;
    if (req.step() != null) src = req.step().env().get("CMAKE_SOURCE_DIR");
    if (src == null && req.phase() != null) src = req.phase().env().get("CMAKE_SOURCE_DIR");
    if (src == null || src.isEmpty() || src.startsWith("/")) return wd;
    Path p = wd.resolve(src).normalize();
    return p.startsWith(wd) ? p : wd;
  }

  private static Path configLogPath(ProposalRequest req, Path wd) {
    List<Path> c = new ArrayList<>();
    if (req.step() != null && req.step().buildDir() != null && !req.step().buildDir().startsWith("/")) {
      c.add(wd.resolve(req.step().buildDir()).resolve("config.log"));
    }
    c.add(wd.resolve("config.log"));
    for (Path p : c) if (Files.isRegularFile(p)) return p;
    return null;
  }

  // ---------------------------------------------------------------- configure

  private static final Pattern HELP_LINE = Pattern.compile(
      "^ {1,6}(--(?:enable|disable|with|without)-[a-z0-9][A-Za-z0-9_.+-]*)(\\[?=[^\\s\\]]*\\]?)?(?:\\s+(\\S.*))?$");
  private static final Pattern CASE_PATTERN = Pattern.compile("^\\s*\\(?\\s*([^()#\"'`$]*--[a-z][^()#\"'`$]*)\\)");
  private static final Pattern CASE_WORD = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9_-]*[a-z0-9])(=\\*)?(?![\\w*-])");
  private static final Pattern ECHO_HELP = Pattern.compile(
      "(?m)^\\s*(?:echo|printf)\\s+(?:-e\\s+)?[\"']\\s+\\[?(--[a-z][a-z0-9_-]*[a-z0-9])\\]?(?:=\\S*)?(?:\\s+([^\"'\\n]*))?");
  /** Install-layout options every configure has; not package switches. */
  private static final Set<String> GENERIC_LAYOUT = Set.of("--prefix", "--help", "--exec-prefix", "--eprefix",
      "--libdir", "--includedir", "--bindir", "--sharedir", "--mandir", "--sharedlibdir", "--archs", "--uname");
  private static final Set<String> GENERIC = Set.of("--enable-feature", "--disable-feature", "--with-package",
      "--without-package", "--enable-option-checking", "--disable-option-checking");

  /**
   * The switches a configure script lists: for autoconf scripts the `--help` text they embed
   * (lines like `  --disable-nls   do not use Native Language Support`); for hand-written
   * scripts also the `--name)` patterns of their argument `case` (zlib's `--static`).
   */
  static List<Evidence.Switch> configureSwitches(String script) {
    boolean generated = script.contains("Generated by GNU Autoconf");
    Map<String, Evidence.Switch> out = new LinkedHashMap<>();
    String[] lines = script.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = HELP_LINE.matcher(lines[i]);
      if (!m.matches()) continue;
      String name = m.group(1);
      if (GENERIC.contains(name) || name.matches(".*[A-Z].*")) continue;
      String help = m.group(3);
      if (help == null && i + 1 < lines.length && lines[i + 1].matches("^ {8,}\\S.*")) help = lines[i + 1].strip();
      if (help != null && i + 1 < lines.length && lines[i + 1].matches("^ {20,}\\S.*") && !lines[i + 1].strip().startsWith("--")) {
        help = help + " " + lines[i + 1].strip();
      }
      out.putIfAbsent(name, new Evidence.Switch("configure", name, null, null, oneLine(help), List.of(), generated));
    }
    if (!generated) {
      // hand-written usage text: zlib's `echo '  [--static] ...'`
      Matcher u = Pattern.compile("\\[(--[a-z][a-z0-9_-]*[a-z0-9])(?:=[^\\]]*)?\\]").matcher(script);
      while (u.find()) {
        String name = u.group(1);
        if (!GENERIC_LAYOUT.contains(name)) out.putIfAbsent(name, new Evidence.Switch("configure", name, null, null, null, List.of(), false));
      }
      // hand-written help printed by echo/printf (`echo "  --without-foo  build without foo"`)
      // or a here-document of indented usage lines
      Matcher e = ECHO_HELP.matcher(script);
      while (e.find()) {
        String name = e.group(1);
        if (!GENERIC_LAYOUT.contains(name) && !GENERIC.contains(name)) {
          out.putIfAbsent(name, new Evidence.Switch("configure", name, null, null, oneLine(e.group(2)), List.of(), false));
        }
      }
      for (String line : lines) {
        Matcher c = CASE_PATTERN.matcher(line);
        if (!c.find()) continue;
        Matcher w = CASE_WORD.matcher(c.group(1));
        while (w.find()) {
          String name = w.group(1);
          if (GENERIC_LAYOUT.contains(name)) {
            continue;
          }
          out.putIfAbsent(name, new Evidence.Switch("configure", name, null, null, null, List.of(), false));
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  // ---------------------------------------------------------------- config.log

  private static final Pattern CHECKING = Pattern.compile("^configure:\\d+: checking ");
  private static final Pattern LOG_ERROR = Pattern.compile("^configure:(\\d+): error: (.*)$");

  /** The lines of the last `checking ...` block before configure stopped (bounded). */
  static List<String> failedCheck(List<String> lines) {
    int end = -1;
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (LOG_ERROR.matcher(lines.get(i)).matches()) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith("## ") && lines.get(i).contains("Cache variables")) end = i - 1;
      }
      if (end < 0) return List.of();
    }
    // The error is often followed by `configure:N: error: in '/dir':` and the message; keep both.
    int stop = end;
    while (stop + 1 < lines.size() && stop - end < 3 && LOG_ERROR.matcher(lines.get(stop + 1)).matches()) stop++;
    int start = end;
    while (start > 0 && !CHECKING.matcher(lines.get(start)).find()) start--;
    List<String> block = new ArrayList<>();
    for (int i = start; i <= stop; i++) {
      // the test program's source (`| ...`) is the same for every check of its kind: left out
      String l = lines.get(i);
      if (l.startsWith("|") || l.equals("configure: failed program was:")) continue;
      block.add(oneLine(l));
    }
    if (block.size() > CONFIG_LOG_LINES) {
      List<String> cut = new ArrayList<>(block.subList(0, 10));
      cut.add("... " + (block.size() - CONFIG_LOG_LINES) + " lines left out ...");
      cut.addAll(block.subList(block.size() - (CONFIG_LOG_LINES - 10), block.size()));
      return cut;
    }
    return block;
  }

  /** The cache test of AC_CACHE_CHECK: `${v+:} false` (2.69), `${v+y}` (2.72), `"${v+set}" = set` (older). */
  private static final Pattern CACHE_TEST = Pattern.compile(
      "\\$\\{([A-Za-z_][A-Za-z0-9_]*_cv_[A-Za-z0-9_]+)\\+(?::\\} false|y\\}|set\\}\" = set)");

  /**
   * For `cannot run test program while cross compiling`: the cache variable of the check whose
   * code is at the line config.log names (`configure:LINE: error: ...`), found by reading the
   * configure script backwards from that line, with the value the check assigns when its test
   * program succeeds (the first assignment after `ac_fn_*_try_run`).
   */
  static List<String> runTestCacheVariables(List<String> log, String script) {
    Set<String> out = new LinkedHashSet<>();
    String[] lines = script.split("\n", -1);
    for (String l : log) {
      Matcher m = LOG_ERROR.matcher(l);
      if (!m.matches() || !m.group(2).contains("cannot run test program while cross compiling")) continue;
      int at = Integer.parseInt(m.group(1)) - 1;
      if (at < 0 || at >= lines.length) continue;
      String var = null;
      int from = -1;
      for (int i = at; i >= 0 && i > at - 400; i--) {
        Matcher c = CACHE_TEST.matcher(lines[i]);
        if (c.find()) {
          var = c.group(1);
          from = i;
          break;
        }
      }
      if (var == null) continue;
      String value = null;
      boolean afterRun = false;
      Pattern assign = Pattern.compile("^\\s*" + Pattern.quote(var) + "=([^;\\s]*)");
      for (int i = from; i < lines.length && i < from + 600; i++) {
        if (lines[i].contains("_try_run ")) afterRun = true;
        Matcher a = assign.matcher(lines[i]);
        if (afterRun && a.find()) {
          value = a.group(1).replaceAll("^[\"']|[\"']$", "");
          break;
        }
      }
      if (value != null && !value.isEmpty() && value.matches("[A-Za-z0-9_.+-]+")) out.add(var + "=" + value);
    }
    return new ArrayList<>(out);
  }

  // ---------------------------------------------------------------- meson

  private static final Pattern MESON_OPTION = Pattern.compile(
      "option\\s*\\(\\s*'([^']+)'((?:[^()]|\\([^()]*\\))*)\\)", Pattern.DOTALL);

  static List<Evidence.Switch> mesonSwitches(String text) {
    List<Evidence.Switch> out = new ArrayList<>();
    Matcher m = MESON_OPTION.matcher(text);
    while (m.find()) {
      String rest = m.group(2);
      String type = field(rest, "type");
      String value = field(rest, "value");
      if (value == null) {
        Matcher v = Pattern.compile("value\\s*:\\s*(true|false|\\d+)").matcher(rest);
        if (v.find()) value = v.group(1);
      }
      out.add(new Evidence.Switch("meson", m.group(1), type, value, oneLine(field(rest, "description")), List.of(), true));
    }
    return out;
  }

  private static String field(String text, String name) {
    Matcher m = Pattern.compile(name + "\\s*:\\s*'([^']*)'").matcher(text);
    return m.find() ? m.group(1) : null;
  }

  // ---------------------------------------------------------------- the step log

  private static final Pattern CMAKE_LOC = Pattern.compile("^\\s*(?:CMake (?:Error|Warning \\(dev\\)) at )?(\\S+\\.(?:txt|cmake)):(\\d+) \\((\\w+)\\)");

  /** `file:line` locations under the source dir from CMake errors and their call stacks. */
  static List<String> cmakeErrorLocations(List<String> stepLog, Path srcDir) {
    Set<String> out = new LinkedHashSet<>();
    boolean inError = false;
    for (String line : stepLog) {
      if (line.startsWith("CMake Error")) inError = true;
      else if (line.startsWith("-- ") || line.startsWith("CMake Warning")) inError = false;
      if (!inError) continue;
      Matcher m = CMAKE_LOC.matcher(line);
      if (!m.find()) continue;
      Path f = Path.of(m.group(1));
      if (f.isAbsolute()) {
        if (!f.normalize().startsWith(srcDir)) continue;
        f = srcDir.relativize(f.normalize());
      }
      out.add(f + ":" + m.group(2));
      if (out.size() >= 20) break;
    }
    return new ArrayList<>(out);
  }

  private static final Pattern ENTERING = Pattern.compile("^(?:g?make)(?:\\[\\d+\\])?: Entering directory [`'‘](.*)['’]$");
  private static final Pattern LEAVING = Pattern.compile("^(?:g?make)(?:\\[\\d+\\])?: Leaving directory [`'‘](.*)['’]$");
  private static final Pattern FIRST_ERROR = Pattern.compile(
      "(?:^|\\s)(?:(\\S+?):\\d+(?::\\d+)?: (?:fatal )?error:|.*: No such file or directory$|.*undefined reference to|.*cannot find -l|.*Exec format error|.*cannot execute binary file)");
  private static final Pattern MAKE_TARGET = Pattern.compile("^g?make(?:\\[\\d+\\])?: \\*\\*\\* \\[(\\S+?)(?::\\d+)?:? .*\\] Error \\d+");

  /**
   * The directories (relative to the workdir) make was in at the first error, plus the
   * directory of the failing file when the compiler names it with a path, plus the directory
   * of make's failing target (`make: *** [examples/Makefile:12: ...] Error 1`).
   */
  static List<String> failingDirs(List<String> stepLog, Path wd) {
    Set<String> out = new LinkedHashSet<>();
    Deque<String> stack = new ArrayDeque<>();
    for (String line : stepLog) {
      Matcher e = ENTERING.matcher(line);
      if (e.matches()) {
        stack.push(e.group(1));
        continue;
      }
      if (LEAVING.matcher(line).matches()) {
        if (!stack.isEmpty()) stack.pop();
        continue;
      }
      Matcher f = FIRST_ERROR.matcher(line);
      if (f.find()) {
        if (!stack.isEmpty()) addRelative(out, Path.of(stack.peek()), wd);
        if (f.group(1) != null) {
          Path file = Path.of(f.group(1));
          Path base = stack.isEmpty() ? wd : Path.of(stack.peek());
          Path parent = (file.isAbsolute() ? file : base.resolve(file)).normalize().getParent();
          if (parent != null) addRelative(out, parent, wd);
        }
        break;
      }
    }
    for (String line : stepLog) {
      Matcher t = MAKE_TARGET.matcher(line);
      if (t.find()) {
        Path target = Path.of(t.group(1));
        Path parent = (target.isAbsolute() ? target : wd.resolve(target)).normalize().getParent();
        if (parent != null) addRelative(out, parent, wd);
        if (out.size() >= 4) break;
      }
    }
    return new ArrayList<>(out);
  }

  private static void addRelative(Set<String> out, Path dir, Path wd) {
    Path d = dir.toAbsolutePath().normalize();
    if (!d.startsWith(wd) || d.equals(wd)) return;
    String rel = wd.relativize(d).toString();
    // CMake's object dirs say which target failed, not where its sources live
    rel = rel.replaceAll("(^|/)CMakeFiles/.*$", "");
    if (!rel.isEmpty()) out.add(rel);
  }

  // ---------------------------------------------------------------- toolchain

  /** CC/CXX as the step sees them (step env > phase env > process env), probed for host phases. */
  static Evidence.Toolchain toolchain(ProposalRequest req) {
    String cc = env(req, "CC", "cc");
    String ccSet = cc;
    String cxx = env(req, "CXX", null);
    String flags = ccSet + " " + env(req, "CFLAGS", "") + " " + env(req, "LDFLAGS", "") + " " + env(req, "CXXFLAGS", "");
    boolean staticBuild = List.of(flags.trim().split("\\s+")).stream().anyMatch(w -> w.equals("-static") || w.equals("--static"));
    String hostFlag = null;
    if (req.step() != null) {
      for (String f : req.step().configureFlags()) if (f.startsWith("--host=")) hostFlag = f;
    }
    // configure --host=H without CC uses H-gcc, as autoconf's AC_PROG_CC does
    if (hostFlag != null && env(req, "CC", null) == null) cc = hostFlag.substring("--host=".length()) + "-gcc";
    BuildPhase phase = req.phase();
    String ns = phase == null || phase.namespace() == null ? "host" : phase.namespace().toLowerCase(Locale.ROOT);
    if (!ns.equals("host")) {
      boolean cross = hostFlag != null;
      return new Evidence.Toolchain(cc, cxx, null, null, null, hostFlag, null, cross, staticBuild, false);
    }
    List<String> ccWords = List.of(cc.trim().split("\\s+"));
    String version = firstLine(run(concat(ccWords, "--version"), null));
    String triplet = firstLine(run(concat(ccWords, "-dumpmachine"), null));
    String build = firstLine(run(List.of("cc", "-dumpmachine"), null));
    if (build == null) build = firstLine(run(List.of("gcc", "-dumpmachine"), null));
    String libc = null;
    if (triplet != null) {
      String pp = run(concat(ccWords, "-E", "-P", "-x", "c", "-"),
          "#include <limits.h>\n#ifdef __GLIBC__\nbq2_glibc __GLIBC__ . __GLIBC_MINOR__\n#endif\n");
      Matcher g = pp == null ? null : Pattern.compile("bq2_glibc (\\d+) \\. (\\d+)").matcher(pp);
      if (g != null && g.find()) libc = "glibc " + g.group(1) + "." + g.group(2);
      else if (pp != null && (triplet.contains("musl") || cc.contains("musl"))) libc = "musl";
      else if (pp != null) libc = "not glibc";
    }
    boolean cross = false;
    if (triplet != null && build != null && !arch(triplet).equals(arch(build))) cross = true;
    if (hostFlag != null && build != null) {
      String h = hostFlag.substring("--host=".length());
      if (!arch(h).equals(arch(build))) cross = true;
    }
    return new Evidence.Toolchain(cc, cxx, version, triplet, build, hostFlag, libc, cross, staticBuild,
        version != null || triplet != null);
  }

  private static String arch(String triplet) {
    String a = triplet.split("-")[0];
    return a.matches("i[3-6]86") ? "i386" : a.equals("arm64") ? "aarch64" : a;
  }

  private static String env(ProposalRequest req, String key, String dflt) {
    if (req.step() != null && req.step().env().containsKey(key)) return req.step().env().get(key);
    if (req.phase() != null && req.phase().env().containsKey(key)) return req.phase().env().get(key);
    String v = System.getenv(key);
    return v != null && !v.isBlank() ? v : dflt;
  }

  private static List<String> concat(List<String> a, String... more) {
    List<String> l = new ArrayList<>(a);
    l.addAll(List.of(more));
    return l;
  }

  /** Output of a short command (10 s at most, 64 KiB), or null when it fails. */
  private static String run(List<String> argv, String stdin) {
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process p = pb.start();
      if (stdin != null) {
        try (OutputStream o = p.getOutputStream()) {
          o.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readNBytes(64 << 10);
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String firstLine(String s) {
    if (s == null) return null;
    String l = s.strip().split("\n", 2)[0].strip();
    return l.isEmpty() ? null : oneLine(l);
  }

  // ---------------------------------------------------------------- reading

  static String oneLine(String s) {
    if (s == null) return null;
    String t = s.replaceAll("[\\x00-\\x1f]", " ").strip();
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }

  static String readBounded(Path f, long limit, List<String> notes) {
    try {
      long size = Files.size(f);
      if (size > limit) notes.add(f.getFileName() + " is " + size + " bytes; only the first " + limit + " were read");
      try (InputStream in = Files.newInputStream(f)) {
        return new String(in.readNBytes((int) Math.min(size, limit)), StandardCharsets.ISO_8859_1);
      }
    } catch (IOException e) {
      notes.add("cannot read " + f + ": " + e.getMessage());
      return null;
    }
  }

  static List<String> tailLines(Path f, int bytes) {
    if (!Files.isRegularFile(f)) return List.of();
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      long len = raf.length();
      long from = Math.max(0, len - bytes);
      raf.seek(from);
      byte[] b = new byte[(int) (len - from)];
      raf.readFully(b);
      List<String> lines = new ArrayList<>(List.of(new String(b, StandardCharsets.UTF_8).split("\r?\n")));
      if (from > 0 && !lines.isEmpty()) lines.remove(0);
      return lines;
    } catch (IOException e) {
      return List.of();
    }
  }

  static List<String> headLines(Path f, int bytes) {
    if (!Files.isRegularFile(f)) return List.of();
    try (InputStream in = Files.newInputStream(f)) {
      return List.of(new String(in.readNBytes(bytes), StandardCharsets.UTF_8).split("\r?\n"));
    } catch (IOException e) {
      return List.of();
    }
  }

  // ---------------------------------------------------------------- CMake

  /**
   * The package's CMake files as text: options and cache variables, and which `if()` blocks
   * (with the options in their conditions) hold REQUIRED packages, fatal errors, -Werror,
   * subdirectories and the failing CMake code.
   */
  static final class CmakeModel {
    private static final Pattern CMD = Pattern.compile("(?m)^[ \\t]*([A-Za-z_][A-Za-z0-9_]*)[ \\t]*\\(");
    private static final Set<String> SKIP_DIRS = Set.of(".git", ".svn", "CMakeFiles", "node_modules");

    record Frame(String file, int from, int to, String condition, boolean elseBranch) {}

    record Command(String file, int line, String name, String args) {}

    private final List<Frame> frames = new ArrayList<>();
    private final List<Command> commands = new ArrayList<>();
    private final Map<String, Evidence.Switch> declared = new LinkedHashMap<>();

    static CmakeModel read(Path src, String buildDir, List<String> notes) {
      CmakeModel m = new CmakeModel();
      List<Path> files = new ArrayList<>();
      Path build = buildDir == null || buildDir.startsWith("/") ? src.resolve("build") : src.resolve(buildDir).normalize();
      try {
        Files.walkFileTree(src, Set.of(), 6, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(src) && (SKIP_DIRS.contains(dir.getFileName().toString()) || dir.equals(build)
                || Files.isRegularFile(dir.resolve("CMakeCache.txt")))) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String n = file.getFileName().toString();
            if (attrs.isRegularFile() && (n.equals("CMakeLists.txt") || n.endsWith(".cmake"))) files.add(file);
            return files.size() >= CMAKE_FILES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
          }
        });
      } catch (IOException e) {
        notes.add("cannot list the CMake files under " + src + ": " + e.getMessage());
      }
      files.sort((a, b) -> Integer.compare(a.getNameCount(), b.getNameCount()) != 0
          ? Integer.compare(a.getNameCount(), b.getNameCount()) : a.compareTo(b));
      long total = 0;
      for (Path f : files) {
        String text = readBounded(f, CMAKE_FILE_LIMIT, notes);
        if (text == null) continue;
        total += text.length();
        if (total > CMAKE_TOTAL_LIMIT) {
          notes.add("CMake files past " + CMAKE_TOTAL_LIMIT + " bytes were not read");
          break;
        }
        m.parse(src.relativize(f).toString(), text);
      }
      if (files.size() >= CMAKE_FILES) notes.add("only the first " + CMAKE_FILES + " CMake files were read");
      return m;
    }

    void parse(String file, String raw) {
      String text = stripComments(raw);
      Deque<Frame> open = new ArrayDeque<>();
      List<Integer> breaks = new ArrayList<>();
      for (int k = 0; k < text.length(); k++) if (text.charAt(k) == '\n') breaks.add(k);
      Matcher m = CMD.matcher(text);
      int pos = 0;
      while (m.find(pos)) {
        int argsStart = m.end();
        int depth = 1;
        int i = argsStart;
        boolean quoted = false;
        while (i < text.length() && depth > 0) {
          char c = text.charAt(i);
          if (c == '\\' && quoted) i++;
          else if (c == '"') quoted = !quoted;
          else if (!quoted && c == '(') depth++;
          else if (!quoted && c == ')') depth--;
          i++;
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        String args = text.substring(argsStart, Math.max(argsStart, i - 1)).strip();
        int line = lineOf(breaks, m.start(1));
        pos = i;
        switch (name) {
          case "if" -> open.push(new Frame(file, line, Integer.MAX_VALUE, args, false));
          case "elseif", "else" -> {
            if (!open.isEmpty()) {
              Frame f = open.pop();
              frames.add(new Frame(file, f.from(), line, f.condition(), f.elseBranch()));
              // the else part runs when the previous condition is false
              open.push(new Frame(file, line, Integer.MAX_VALUE, name.equals("else") ? f.condition() : args,
                  name.equals("else")));
            }
          }
          case "endif" -> {
            if (!open.isEmpty()) {
              Frame f = open.pop();
              frames.add(new Frame(file, f.from(), line, f.condition(), f.elseBranch()));
            }
          }
          case "option" -> declare(file, args, "option");
          case "cmake_dependent_option" -> declare(file, args, "dependent");
          case "set" -> declare(file, args, "set");
          default -> { }
        }
        commands.add(new Command(file, line, name, args));
      }
      while (!open.isEmpty()) {
        Frame f = open.pop();
        frames.add(new Frame(file, f.from(), Integer.MAX_VALUE, f.condition(), f.elseBranch()));
      }
    }

    private void declare(String file, String args, String how) {
      List<String> a = arguments(args);
      if (a.isEmpty() || !a.get(0).matches("[A-Za-z_][A-Za-z0-9_]*")) return;
      String name = a.get(0);
      if (how.equals("set")) {
        int c = a.indexOf("CACHE");
        if (c < 0 || c + 1 >= a.size()) return;
        String type = a.get(c + 1).toUpperCase(Locale.ROOT);
        if (type.equals("INTERNAL")) return;
        String value = c >= 2 ? a.get(1) : "";
        String help = c + 2 < a.size() ? a.get(c + 2) : null;
        declared.putIfAbsent(name, new Evidence.Switch("cmake", name, type, value, oneLine(help), List.of(), true));
        return;
      }
      String help = a.size() > 1 ? a.get(1) : null;
      String dflt = a.size() > 2 ? a.get(2) : "OFF";
      declared.putIfAbsent(name, new Evidence.Switch("cmake", name, "BOOL", dflt, oneLine(help), List.of(), true));
    }

    /** The declared switches with their guards; {@code errorLocations} adds `error_location` guards. */
    List<Evidence.Switch> switches(List<String> errorLocations) {
      Map<String, List<Evidence.Guard>> guards = new HashMap<>();
      for (Command c : commands) {
        String kind = guardKind(c);
        if (kind == null) continue;
        String what = c.name() + "(" + shorten(c.args()) + ")";
        addGuards(guards, c.file(), c.line(), kind, what, c.file() + ":" + c.line(), 0);
      }
      for (String loc : errorLocations) {
        int colon = loc.lastIndexOf(':');
        String file = loc.substring(0, colon);
        int line = Integer.parseInt(loc.substring(colon + 1));
        addGuards(guards, file, line, "error_location", "the CMake error", loc, 0);
      }
      // BUILD_SHARED_LIBS is CMake's own switch; a project that reads it offers it.
      if (!declared.containsKey("BUILD_SHARED_LIBS")
          && commands.stream().anyMatch(c -> c.args().contains("BUILD_SHARED_LIBS"))) {
        declared.put("BUILD_SHARED_LIBS", new Evidence.Switch("cmake", "BUILD_SHARED_LIBS", "BOOL", null,
            "CMake's switch between shared and static libraries (read by this project)", List.of(), true));
      }
      // include(CTest) declares BUILD_TESTING (default ON) for the project.
      if (!declared.containsKey("BUILD_TESTING") && commands.stream()
          .anyMatch(c -> c.name().equals("include") && arguments(c.args()).contains("CTest"))) {
        declared.put("BUILD_TESTING", new Evidence.Switch("cmake", "BUILD_TESTING", "BOOL", "ON",
            "CTest's switch for the project's tests (include(CTest))", List.of(), true));
      }
      List<Evidence.Switch> out = new ArrayList<>();
      for (Evidence.Switch s : declared.values()) {
        List<Evidence.Guard> g = guards.getOrDefault(s.name(), List.of());
        out.add(new Evidence.Switch(s.system(), s.name(), s.type(), s.defaultValue(), s.help(),
            g.size() > 8 ? g.subList(0, 8) : g, true));
      }
      return out;
    }

    private static String guardKind(Command c) {
      String a = c.args();
      switch (c.name()) {
        case "find_package":
          return List.of(a.split("\\s+")).contains("REQUIRED") ? "find_package" : null;
        case "message":
          return a.startsWith("FATAL_ERROR") || a.startsWith("SEND_ERROR") ? "fatal_error" : null;
        case "add_subdirectory":
          return "subdirectory";
        default:
          return a.contains("-Werror") || a.contains("/WX") && c.name().contains("compile") ? "werror" : null;
      }
    }

    /** Adds a guard to every declared option in the conditions of the blocks around file:line (and around the add_subdirectory that includes the file). */
    private void addGuards(Map<String, List<Evidence.Guard>> guards, String file, int line, String kind, String what,
        String where, int depth) {
      for (Frame f : frames) {
        if (!f.file().equals(file) || line <= f.from() || line >= f.to()) continue;
        String cond = f.condition();
        if (cond.matches(".*\\bOR\\b.*")) continue;
        Matcher v = Pattern.compile("(NOT\\s+)?\\$?\\{?\\b([A-Za-z_][A-Za-z0-9_]*)\\b\\}?").matcher(cond);
        while (v.find()) {
          String name = v.group(2);
          if (!declared.containsKey(name) && !name.equals("BUILD_SHARED_LIBS") && !name.equals("BUILD_TESTING")) continue;
          boolean negated = v.group(1) != null;
          boolean on = negated == f.elseBranch();
          guards.computeIfAbsent(name, k -> new ArrayList<>())
              .add(new Evidence.Guard(kind, what, where, on ? "OFF" : "ON"));
        }
      }
      if (depth < 5) {
        Path parentDir = Path.of(file).getParent();
        if (parentDir == null || !Path.of(file).getFileName().toString().equals("CMakeLists.txt")) return;
        for (Command c : commands) {
          if (!c.name().equals("add_subdirectory")) continue;
          List<String> a = arguments(c.args());
          if (a.isEmpty()) continue;
          Path cdir = Path.of(c.file()).getParent();
          Path sub = (cdir == null ? Path.of(a.get(0)) : cdir.resolve(a.get(0))).normalize();
          if (sub.equals(parentDir)) addGuards(guards, c.file(), c.line(), kind, what, where, depth + 1);
        }
      }
    }

    private static String shorten(String s) {
      String t = s.replaceAll("\\s+", " ").strip();
      return t.length() > 80 ? t.substring(0, 80) + "..." : t;
    }

    static List<String> arguments(String args) {
      List<String> out = new ArrayList<>();
      Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s\"]+)").matcher(args);
      while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
      return out;
    }

    /** 1-based line of an offset, from the sorted offsets of the line breaks. */
    private static int lineOf(List<Integer> breaks, int offset) {
      int i = java.util.Collections.binarySearch(breaks, offset);
      return (i >= 0 ? i : -i - 1) + 1;
    }

    /** `# comment` to the end of the line, outside quotes; line breaks kept so line numbers hold. */
    private static String stripComments(String raw) {
      StringBuilder sb = new StringBuilder(raw.length());
      boolean quoted = false;
      boolean comment = false;
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '\n') {
          comment = false;
          sb.append(c);
          continue;
        }
        if (comment) continue;
        if (c == '"' && (i == 0 || raw.charAt(i - 1) != '\\')) quoted = !quoted;
        if (c == '#' && !quoted) {
          comment = true;
          continue;
        }
        sb.append(c);
      }
      return sb.toString();
    }
  }
}
