package dev.bq2.propose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a delta from an assistant (Codex, Claude, any command) may change, on top of
 * {@link ProposalValidator}. An assistant reads build output, which a package or an attacker
 * controls, so its answer must not become code: env keys come from an allow-list of what builds
 * need, and no value (env, configure flag) may carry shell or make expansion syntax, which a
 * recipe shell or configure's substitution into Makefiles would run. Our own rules are data we
 * ship and review, so their deltas (e.g. `MAKEFLAGS=--eval=.NOTPARALLEL:`) are not held to it.
 */
public final class AssistantDeltaPolicy {
  /** Compiler and tool variables: their value names a program, so it is checked as one. */
  static final Set<String> TOOL_KEYS = Set.of(
      "CC", "CXX", "CPP", "CXXCPP", "LD", "AR", "AS", "NM", "RANLIB", "STRIP", "OBJCOPY", "OBJDUMP",
      "READELF", "ADDR2LINE", "WINDRES", "PKG_CONFIG", "MAKEINFO", "HELP2MAN", "YACC", "BISON", "LEX",
      "FLEX", "M4", "INSTALL", "PYTHON", "PERL", "HOSTCC", "CC_FOR_BUILD", "CXX_FOR_BUILD",
      "BUILD_CC", "HOST_CC");
  /** Flag variables and search paths: plain words, no program. */
  static final Set<String> FLAG_KEYS = Set.of(
      "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS", "LDLIBS", "ASFLAGS", "ARFLAGS", "YFLAGS",
      "LFLAGS", "FFLAGS", "FCFLAGS", "CFLAGS_FOR_BUILD", "CPPFLAGS_FOR_BUILD", "LDFLAGS_FOR_BUILD",
      "CXXFLAGS_FOR_BUILD", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR",
      "CMAKE_PREFIX_PATH", "CMAKE_BUILD_PARALLEL_LEVEL", "SOURCE_DATE_EPOCH", "V", "VERBOSE");
  /** autoconf cache variables (`ac_cv_func_malloc_0_nonnull`, `gl_cv_...`): how cross builds answer run-tests. */
  private static final Pattern CACHE_VAR = Pattern.compile("[a-z][a-z0-9]*_cv_[A-Za-z0-9_]+");
  /**
   * Shell and make expansion or control syntax: command substitution, parameter and make
   * variable expansion (any `$`), command separators, pipes, redirections, backslash escapes.
   */
  private static final Pattern EXPANSION = Pattern.compile("[`$;|&<>\\\\]");
  /** GNU make options a MAKEFLAGS value may hold (documented in make(1)); anything else is refused. */
  private static final Pattern MAKEFLAGS_WORD = Pattern.compile(
      "-j\\d*|--jobs(?:=\\d+)?|\\d+|-k|--keep-going|-s|--silent|--quiet|-w|--print-directory|--no-print-directory"
          + "|-O(?:target|line|recurse|none)?|--output-sync(?:=(?:target|line|recurse|none))?|-l[\\d.]*"
          + "|--load-average(?:=[\\d.]+)?|--eval=\\.NOTPARALLEL:|-r|--no-builtin-rules|-R|--no-builtin-variables"
          + "|[A-Za-z_][A-Za-z0-9_]*=[^=\\s]*");

  private AssistantDeltaPolicy() {}

  /** Reasons the delta is refused for an assistant; empty when it may be applied. */
  public static List<String> check(Proposal p) {
    List<String> why = new ArrayList<>();
    for (String f : p.configureFlagsAdd()) {
      if (f != null && EXPANSION.matcher(f).find()) {
        why.add("configure flag " + printable(f) + " contains shell or make expansion syntax (` $ ; | & < > \\); "
            + "configure substitutes it into Makefiles, where a recipe shell would run it");
      }
    }
    for (Map.Entry<String, String> e : p.env().entrySet()) {
      String k = e.getKey();
      String v = e.getValue() == null ? "" : e.getValue();
      boolean makeflags = k.equals("MAKEFLAGS") || k.equals("MFLAGS") || k.equals("GNUMAKEFLAGS");
      if (!makeflags && !TOOL_KEYS.contains(k) && !FLAG_KEYS.contains(k) && !CACHE_VAR.matcher(k).matches()) {
        why.add("env key " + printable(k) + " is not one an assistant may set (compiler, tool and flag variables, "
            + "pkg-config paths, autoconf cache variables, MAKEFLAGS; see docs/propose.md)");
        continue;
      }
      if (EXPANSION.matcher(v).find()) {
        why.add("env " + k + " contains shell or make expansion syntax (` $ ; | & < > \\); a recipe shell would run it");
        continue;
      }
      if (makeflags) {
        for (String w : v.trim().split("\\s+")) {
          if (!w.isEmpty() && !w.equals("--") && !MAKEFLAGS_WORD.matcher(w).matches()) {
            why.add("env " + k + ": " + printable(w) + " is not a documented make option or a VAR=value assignment");
          }
        }
      }
      if (TOOL_KEYS.contains(k)) {
        String program = v.trim().isEmpty() ? "" : v.trim().split("\\s+")[0];
        String bad = programProblem(program);
        if (bad != null) why.add("env " + k + ": " + bad);
      }
    }
    return why;
  }

  /**
   * A tool value must name a program by bare name (found on the build's PATH) or by an absolute
   * path that nobody else can change: `/tmp/x/cc` runs whatever anyone put there. Along the path,
   * a world-writable directory is refused, except a sticky one (like `/tmp`) whose entry on the
   * path belongs to root or to us.
   */
  static String programProblem(String program) {
    if (program.isEmpty() || !program.contains("/")) return null;
    Path p = Path.of(program);
    if (!p.isAbsolute()) return "program " + printable(program) + " is a relative path; name it on PATH or by absolute path";
    Path child = null;
    for (Path dir = p.normalize().getParent(); dir != null; child = dir, dir = dir.getParent()) {
      try {
        if (!Files.exists(dir)) continue;
        int mode = (Integer) Files.getAttribute(dir, "unix:mode");
        boolean worldWritable = (mode & 0002) != 0;
        boolean sticky = (mode & 01000) != 0;
        if (!worldWritable) continue;
        if (sticky && child != null && Files.exists(child) && ownedByRootOrUs(child)) continue;
        return "program " + printable(program) + " is under the world-writable " + dir + ", where anyone can place code";
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return "program " + printable(program) + ": cannot check " + dir + " (" + e.getMessage() + ")";
      }
    }
    return null;
  }

  private static boolean ownedByRootOrUs(Path p) throws IOException {
    int uid = (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    int ours = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    return uid == 0 || uid == ours;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0) b.append(String.format("\\x%02x", c));
      else b.appendCodePoint(c);
    });
    return b.toString();
  }
}
