package dev.bq2.propose;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The generic mechanisms behind {@link Rule.Options#pick}: each finds arguments the package
 * itself offers (never invented), by matching the words of the decisive error, the failing
 * directories or the failing CMake code against the {@link Evidence}.
 */
final class OptionPicker {
  /** An argument and where it was found (for the rationale). */
  record Candidate(String arg, String why) {}

  /** Feature names that are locations, not features (`--with-libiconv-prefix`). */
  private static final Pattern NOT_A_FEATURE = Pattern.compile(".*-(?:prefix|dir|includes?|libs?|libraries|headers|path|root)$");
  /** Tokens of CMake option names that say how, not what (`WITH_`, `ENABLE_`, `BUILD_`). */
  private static final Set<String> HOW = Set.of("with", "enable", "use", "build", "have", "opt", "option", "support");

  private OptionPicker() {}

  static List<Candidate> candidates(Rule.Options o, Evidence ev, String wordText, String line, String strategy) {
    boolean configure = usesConfigure(ev, strategy);
    boolean cmake = usesCmake(ev, strategy);
    List<String> words = Evidence.words(wordText);
    Map<String, Candidate> out = new LinkedHashMap<>();
    for (String pick : o.pick()) {
      List<Candidate> found = switch (pick) {
        case "named_in_error" -> configure ? namedInError(ev, line) : List.of();
        case "configure_by_word" -> configure ? configureByWord(ev, words, wordText) : List.of();
        case "cmake_by_word" -> cmake ? cmakeByWord(ev, words) : List.of();
        case "cmake_guard_error" -> cmake ? cmakeGuard(ev, "error_location") : List.of();
        case "cmake_guard_werror" -> cmake ? cmakeGuard(ev, "werror") : List.of();
        case "by_directory" -> byDirectory(ev, wordText, configure, cmake);
        case "offered" -> offered(ev, o.offered(), configure, cmake);
        case "cache_variable" -> configure ? ev.cacheVariables().stream()
            .map(v -> new Candidate(v, "config.log names the failed run-test, whose cache variable in the configure script is "
                + v.substring(0, v.indexOf('=')))).toList() : List.of();
        default -> List.of();
      };
      for (Candidate c : found) out.putIfAbsent(c.arg(), c);
    }
    return new ArrayList<>(out.values());
  }

  private static final Pattern FAILED_TARGET = Pattern.compile("\\*\\*\\* \\[(?:[^\\]]*?:\\d+: )?([^\\]]+)\\] Error \\d+");

  /** The file names (without directory and extension) of the targets make reports as failed, innermost first. */
  static List<String> failedTargets(List<String> text) {
    Set<String> out = new LinkedHashSet<>();
    for (String l : text) {
      java.util.regex.Matcher m = FAILED_TARGET.matcher(l);
      if (!m.find()) continue;
      String name = Path.of(m.group(1).strip()).getFileName().toString().replaceFirst("\\.[A-Za-z]+$", "");
      if (!name.isEmpty() && !name.equals("all") && !name.startsWith("all-") && !name.contains("CMakeFiles")) out.add(name);
      if (out.size() >= 3) break;
    }
    return new ArrayList<>(out);
  }

  static boolean usesConfigure(Evidence ev, String strategy) {
    return "autotools".equals(strategy) && ev.workdir() != null && Files.isRegularFile(Path.of(ev.workdir(), "configure"));
  }

  static boolean usesCmake(Evidence ev, String strategy) {
    if (ev.workdir() == null || ev.switches("cmake").isEmpty()) return false;
    return "cmake-project".equals(strategy) || "autotools".equals(strategy) && !usesConfigure(ev, strategy);
  }

  private static List<Candidate> namedInError(Evidence ev, String line) {
    List<Candidate> out = new ArrayList<>();
    for (Evidence.Switch s : ev.switches("configure")) {
      String off = s.offArgument();
      if (off != null && line != null && line.matches(".*(?<![\\w-])" + Pattern.quote(off) + "(?![\\w-]).*")) {
        out.add(new Candidate(off, "the error names " + off + " and configure offers it"));
      }
    }
    return out;
  }

  private static List<Candidate> configureByWord(Evidence ev, List<String> words, String wordText) {
    List<Candidate> out = new ArrayList<>();
    for (String w : words) {
      List<String> vs = Evidence.variants(w);
      for (Evidence.Switch s : ev.switches("configure")) {
        String off = s.offArgument();
        String key = s.key().toLowerCase(Locale.ROOT);
        if (off == null || NOT_A_FEATURE.matcher(key).matches()) continue;
        if (vs.stream().anyMatch(v -> Evidence.variants(key).contains(v))) {
          out.add(new Candidate(off, "configure lists " + s.name() + ", the switch for '" + w + "' in the failure"));
        }
      }
    }
    // Help text is only searched for names that are clearly a dependency in the error (`libfoo`,
    // `-lfoo`, `foo.h`, `foo.pc`): plain words ("compiler") would find unrelated switches.
    String t = wordText == null ? "" : wordText.toLowerCase(Locale.ROOT);
    if (!t.isEmpty()) {
      for (String w : words) {
        if (w.length() < 3) continue;
        String bare = w.startsWith("lib") ? w.substring(3) : w;
        if (!w.startsWith("lib") && !t.contains("-l" + w) && !t.contains(w + ".h") && !t.contains(w + ".pc")) continue;
        if (bare.length() < 2) continue;
        Pattern whole = Pattern.compile("(?i)(?<![\\w-])(?:lib)?" + Pattern.quote(bare) + "(?![\\w-])");
        for (Evidence.Switch s : ev.switches("configure")) {
          String off = s.offArgument();
          if (off == null || s.help() == null || NOT_A_FEATURE.matcher(s.key()).matches()) continue;
          if (whole.matcher(s.help()).find()) {
            out.add(new Candidate(off, "configure lists " + s.name() + " (\"" + s.help() + "\"), which covers '" + w + "'"));
          }
        }
      }
    }
    return out;
  }

  private static List<Candidate> cmakeByWord(Evidence ev, List<String> words) {
    List<Candidate> guards = new ArrayList<>();
    List<Candidate> exact = new ArrayList<>();
    List<Candidate> token = new ArrayList<>();
    for (String w : words) {
      List<String> vs = Evidence.variants(w);
      for (Evidence.Switch s : ev.switches("cmake")) {
        if (s.type() != null && !s.type().equals("BOOL")) continue;
        for (Evidence.Guard g : s.guards()) {
          if (!g.kind().equals("find_package")) continue;
          String pkg = g.what().replaceFirst("^find_package\\(\\s*", "").split("[\\s)]")[0].toLowerCase(Locale.ROOT);
          if (vs.stream().anyMatch(v -> Evidence.variants(pkg).contains(v))) {
            guards.add(new Candidate("-D" + s.name() + "=" + g.off(), s.name() + " guards " + g.what() + " at " + g.where()));
          }
        }
        List<String> tokens = new ArrayList<>();
        for (String t : s.name().toLowerCase(Locale.ROOT).split("_")) if (!t.isEmpty()) tokens.add(t);
        List<String> what = tokens.stream().filter(t -> !HOW.contains(t)).toList();
        if (what.size() == 1 && vs.contains(what.get(0)) || what.size() == 1 && Evidence.variants(what.get(0)).contains(w)) {
          exact.add(new Candidate("-D" + s.name() + "=OFF", "the package's CMake option " + s.name() + " is named for '" + w + "'"));
        } else if (tokens.stream().anyMatch(vs::contains)) {
          token.add(new Candidate("-D" + s.name() + "=OFF", "the package's CMake option " + s.name() + " has '" + w + "' in its name"));
        }
      }
    }
    List<Candidate> out = new ArrayList<>(guards);
    out.addAll(exact);
    out.addAll(token);
    return out;
  }

  private static List<Candidate> cmakeGuard(Evidence ev, String kind) {
    List<Candidate> out = new ArrayList<>();
    for (Evidence.Switch s : ev.switches("cmake")) {
      for (Evidence.Guard g : s.guards()) {
        if (g.kind().equals(kind)) {
          out.add(new Candidate("-D" + s.name() + "=" + g.off(), kind.equals("werror")
              ? s.name() + " adds " + g.what() + " at " + g.where()
              : "the failing CMake code at " + g.where() + " runs only when " + s.name() + " is "
                  + (g.off().equals("OFF") ? "ON" : "OFF")));
          break;
        }
      }
    }
    return out;
  }

  /** Directory words: the components of the failing directories and of a path in the error. */
  private static List<Candidate> byDirectory(Evidence ev, String wordText, boolean configure, boolean cmake) {
    Set<String> dirs = new LinkedHashSet<>(ev.failingDirs());
    if (wordText != null && wordText.matches("[^\\s:]*/[^\\s:]*")) {
      Path p = Path.of(wordText.strip()).normalize();
      // absolute paths count only inside the workdir, and only their part below it
      if (p.isAbsolute()) p = ev.workdir() != null && p.startsWith(ev.workdir()) ? Path.of(ev.workdir()).relativize(p) : null;
      if (p != null && p.getParent() != null) dirs.add(p.getParent().toString());
    }
    List<Candidate> out = new ArrayList<>();
    for (String dir : dirs) {
      for (String comp : dir.split("/")) {
        String c = comp.toLowerCase(Locale.ROOT);
        if (c.isEmpty() || c.equals(".") || c.equals("..")) continue;
        String stem = Evidence.stem(c);
        if (cmake) {
          for (Evidence.Switch s : ev.switches("cmake")) {
            for (Evidence.Guard g : s.guards()) {
              if (g.kind().equals("subdirectory") && Evidence.stem(lastComponent(g.what())).equals(stem)) {
                out.add(new Candidate("-D" + s.name() + "=" + g.off(), s.name() + " guards " + g.what() + " at " + g.where()
                    + ", and the failure is in " + dir));
              }
            }
          }
          for (Evidence.Switch s : ev.switches("cmake")) {
            if (s.type() != null && !s.type().equals("BOOL")) continue;
            for (String t : s.name().toLowerCase(Locale.ROOT).split("_")) {
              if (!t.isEmpty() && Evidence.stem(t).equals(stem)) {
                out.add(new Candidate("-D" + s.name() + "=OFF", "the package's CMake option " + s.name()
                    + " is named for " + comp + "/, where the failure is"));
              }
            }
          }
        }
        if (configure) {
          for (Evidence.Switch s : ev.switches("configure")) {
            String off = s.offArgument();
            if (off == null) continue;
            String[] tokens = s.key().toLowerCase(Locale.ROOT).split("-");
            if (tokens.length > 2) continue;
            for (String t : tokens) {
              if (!HOW.contains(t) && Evidence.stem(t).equals(stem)) {
                out.add(new Candidate(off, "configure lists " + s.name() + ", named for " + comp + "/, where the failure is"));
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static String lastComponent(String addSubdirectory) {
    List<String> a = EvidenceCollector.CmakeModel.arguments(addSubdirectory.replaceFirst("^add_subdirectory\\(", "")
        .replaceFirst("\\)$", ""));
    if (a.isEmpty()) return "";
    String[] parts = a.get(0).split("/");
    return parts[parts.length - 1].toLowerCase(Locale.ROOT);
  }

  private static List<Candidate> offered(Evidence ev, List<String> literal, boolean configure, boolean cmake) {
    List<Candidate> out = new ArrayList<>();
    for (String arg : literal) {
      if (arg.startsWith("-D") && cmake) {
        int eq = arg.indexOf('=');
        if (eq < 0) continue;
        String name = arg.substring(2, eq);
        String value = arg.substring(eq + 1);
        if (name.contains("*")) {
          Pattern glob = Pattern.compile("(?i)" + Pattern.quote(name).replace("*", "\\E.*\\Q"));
          for (Evidence.Switch s : ev.switches("cmake")) {
            if ((s.type() == null || s.type().equals("BOOL")) && glob.matcher(s.name()).matches()) {
              out.add(new Candidate("-D" + s.name() + "=" + value, "the package's CMake option " + s.name()));
            }
          }
        } else if (ev.cmakeOption(name) != null) {
          out.add(new Candidate(arg, "the package's CMake files read " + name));
        }
      } else if (arg.startsWith("--") && configure && ev.offersConfigure(arg)) {
        out.add(new Candidate(arg, "configure offers " + arg));
      }
    }
    return out;
  }
}
