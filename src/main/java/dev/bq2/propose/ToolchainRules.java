package dev.bq2.propose;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conditions, placeholders and delivery behind the flag, Makefile and toolchain rules
 * (`rules/toolchain-rules.json`), one instance per proposal request. Everything is read from
 * the step's own Makefiles, the failing command's log and the step's compiler, never from the
 * package's name.
 */
final class ToolchainRules {
  private static final Pattern ERROR_LINE = Pattern.compile("\\berror:|\\[-Werror[\\]=]|being treated as errors");
  private static final Pattern MAKE_VAR = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> PLACEHOLDERS =
      List.of("feature_macro", "hidden_symbol", "c_std", "header", "tool", "make_variable");

  private final BuildPhase phase;
  private final BuildStep step;
  private final Diagnosis diagnosis;
  private final Map<String, String> vars = new HashMap<>();
  private MakeVars makeVars;
  private Toolchain toolchain;
  private String problem;

  ToolchainRules(BuildPhase phase, BuildStep step, Diagnosis diagnosis) {
    this.phase = phase;
    this.step = step;
    this.diagnosis = diagnosis;
  }

  /** Why the last template or delivery failed (for the journal), null when none did. */
  String problem() {
    return problem;
  }

  String effectiveEnv(String key) {
    if (step != null && step.env().containsKey(key)) return step.env().get(key);
    if (phase != null && phase.env().containsKey(key)) return phase.env().get(key);
    return "";
  }

  MakeVars makeVars() {
    if (makeVars == null) {
      Path wd = step == null || step.workdir() == null ? null : Path.of(step.workdir());
      Path bd = wd == null || step.buildDir() == null ? null : wd.resolve(step.buildDir());
      String mf = step != null && "makefile-classic".equals(step.strategy()) ? "Makefile.bq2" : null;
      makeVars = MakeVars.scan(wd, bd, mf);
    }
    return makeVars;
  }

  Toolchain toolchain() {
    if (toolchain == null) toolchain = new Toolchain(diagnosis.outputLog(), effectiveEnv("CC"));
    return toolchain;
  }

  /**
   * When configure stopped with "compiler cannot create executables", the compiler's own error
   * (a rejected `-march`, an unknown option) is only in `config.log`: its error lines from the
   * last "whether the C compiler works" check on (at most 10), for the rules to match. Nothing
   * otherwise: config.log is full of errors of checks that are meant to fail.
   */
  List<String> compilerCheckErrors(List<String> text) {
    if (text.stream().noneMatch(l -> l.contains("cannot create executables"))) return List.of();
    if (step == null || step.workdir() == null) return List.of();
    Path wd = Path.of(step.workdir());
    Path log = step.buildDir() != null && java.nio.file.Files.isRegularFile(wd.resolve(step.buildDir()).resolve("config.log"))
        ? wd.resolve(step.buildDir()).resolve("config.log") : wd.resolve("config.log");
    List<String> lines;
    try {
      if (!java.nio.file.Files.isRegularFile(log) || java.nio.file.Files.size(log) > (32 << 20)) return List.of();
      lines = List.of(java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1).split("\n"));
    } catch (java.io.IOException e) {
      return List.of();
    }
    int from = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("compiler works") || lines.get(i).contains("default output file name")) from = i;
    }
    List<String> out = new ArrayList<>();
    for (int i = from; i < lines.size() && out.size() < 10; i++) {
      if (lines.get(i).contains("error:") && !lines.get(i).startsWith("|")) out.add(lines.get(i));
    }
    return out;
  }

  /** True for a line where a compiler diagnostic is an error, not a warning. */
  static boolean isErrorLine(String line) {
    return ERROR_LINE.matcher(line).find();
  }

  /** The first match on an error line (see {@link #isErrorLine}); null when it matches only warnings. */
  static Matcher firstErrorMatch(Pattern p, List<String> text) {
    for (String line : text) {
      Matcher m = p.matcher(line);
      if (m.find() && isErrorLine(line)) return m;
    }
    return null;
  }

  /** Null when the toolchain conditions of {@code w} hold (filling placeholders), else why not. */
  String unmet(Rule.When w, Matcher m, List<String> text) {
    vars.clear();
    problem = null;
    if (w == null) return null;
    if (Boolean.TRUE.equals(w.strictStdHides())) {
      List<String> values = new ArrayList<>(List.of(effectiveEnv("CFLAGS"), effectiveEnv("CPPFLAGS")));
      values.addAll(makeVars().values());
      String std = toolchain().strictStd(values);
      if (std == null) return "the compile lines use no strict -std=cNN";
      for (String sym : Toolchain.undeclaredSymbols(text)) {
        if (!failsHere(sym, text)) continue;
        String macro = toolchain().featureMacroRevealing(sym, std);
        if (macro != null) {
          vars.put("feature_macro", "-D" + macro);
          vars.put("hidden_symbol", sym);
          vars.put("c_std", std);
          break;
        }
      }
      if (!vars.containsKey("feature_macro")) {
        return "no undeclared symbol is one " + toolchain().compiler() + " hides under " + std;
      }
    }
    if (w.headerDeclares() != null) {
      String sym = m.groupCount() >= 1 ? m.group(1) : null;
      if (sym == null || !toolchain().headerDeclares(w.headerDeclares(), sym)) {
        return toolchain().compiler() + "'s <" + w.headerDeclares() + "> does not declare " + sym;
      }
      vars.put("header", w.headerDeclares());
    }
    if (w.makeVariableFor() != null && !w.makeVariableFor().isEmpty()) {
      String tool = null;
      for (int g : w.makeVariableFor()) {
        if (g <= m.groupCount() && m.group(g) != null) {
          tool = m.group(g);
          break;
        }
      }
      String var = tool == null ? null : makeVars().variableRunning(tool);
      if (var == null) return "no Makefile variable of the step runs " + tool;
      // A no-op is only safe where the tool makes documentation; a compiler or a parser
      // generator set to `true` would just move the failure.
      List<String> targets = makeVars().targetsUsing(var);
      if (targets.isEmpty() || !targets.stream().allMatch(MakeVars::isDocTarget)) {
        return var + " (" + tool + ") builds " + (targets.isEmpty() ? "no target we can see" : String.join(" ", targets))
            + ", not only documentation; skipping it would break the build, the tool must be installed";
      }
      vars.put("tool", tool);
      vars.put("make_variable", var);
    }
    return null;
  }

  /** The symbol's diagnostic is an error, or its source file has one (a warning alone is not the failure). */
  private static boolean failsHere(String sym, List<String> text) {
    for (int i = 0; i < text.size(); i++) {
      String l = text.get(i);
      if (!l.contains(sym)) continue;
      if (isErrorLine(l)) return true;
      // the source line gcc quotes under its diagnostic
      if (i > 0 && isErrorLine(text.get(i - 1)) && l.matches("\\s*\\d*\\s*\\|.*")) return true;
      String file = Toolchain.diagnosticFile(l);
      if (file != null && text.stream().anyMatch(x -> x.startsWith(file + ":") && isErrorLine(x))) return true;
    }
    return false;
  }

  /** Fills this family's placeholders; null when one is used but unknown. */
  String fill(String s) {
    if (s == null) return null;
    for (String name : PLACEHOLDERS) {
      String ph = "{" + name + "}";
      if (!s.contains(ph)) continue;
      String v = vars.get(name);
      if (v == null) {
        problem = "no value for " + ph;
        return null;
      }
      s = s.replace(ph, v);
    }
    return s;
  }

  /**
   * The env changes of `env_remove`: each key whose effective value has the flag (or `-Wl,flag`)
   * gets its full value without it. For a `-mX=V` the compiler reports under another switch
   * (gcc says `-mtune=` for a bad `-mcpu=`), any `-m…=V` counts. Null when no key has it.
   */
  Map<String, String> remove(Map<String, String> keyToFlag) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int pass = 0; pass < 2 && out.isEmpty(); pass++) {
      for (Map.Entry<String, String> e : keyToFlag.entrySet()) {
        String flag = e.getValue();
        String cur = effectiveEnv(e.getKey());
        if (cur.isBlank()) continue;
        List<String> kept = new ArrayList<>();
        boolean hit = false;
        for (String word : cur.trim().split("\\s+")) {
          boolean bad = pass == 0 ? word.equals(flag) || word.equals("-Wl," + flag) : sameValueOtherSwitch(word, flag);
          if (bad) hit = true;
          else kept.add(word);
        }
        if (hit) out.put(e.getKey(), String.join(" ", kept));
      }
    }
    return out.isEmpty() ? null : out;
  }

  private static boolean sameValueOtherSwitch(String word, String flag) {
    int eq = flag.indexOf('=');
    if (!flag.startsWith("-m") || eq < 0) return false;
    return word.startsWith("-m") && word.endsWith(flag.substring(eq)) && word.indexOf('=') == word.length() - (flag.length() - eq);
  }

  /** The key goes into MAKEFLAGS, not the environment (see {@link #deliver}). */
  boolean viaMakeflags(String key) {
    if (key.equals("MAKEFLAGS") || !MAKE_VAR.matcher(key).matches() || generatedBuild()) return false;
    if (MakeFlags.get(effectiveEnv("MAKEFLAGS"), key) != null) return true;
    MakeVars.Kind k = makeVars().kind(key);
    if (k == MakeVars.Kind.OVERRIDE) return false;
    Toolchain.Evidence e = toolchain().evidence(key, effectiveEnv(key));
    if (e == Toolchain.Evidence.HONORED) return false;
    return k == MakeVars.Kind.HARD || e == Toolchain.Evidence.IGNORED;
  }

  /**
   * CMake and Meson write their own build files and take flags from the environment when they
   * configure (CMake's generated Makefiles use C_FLAGS, never CFLAGS): a make variable there
   * changes nothing, so their flags stay env values.
   */
  private boolean generatedBuild() {
    if (step == null) return false;
    String s = step.strategy() == null ? "" : step.strategy();
    if (s.startsWith("cmake") || s.startsWith("meson")) return true;
    if (step.workdir() == null) return false;
    Path wd = Path.of(step.workdir());
    return !java.nio.file.Files.exists(wd.resolve("configure"))
        && (java.nio.file.Files.exists(wd.resolve("CMakeLists.txt")) || java.nio.file.Files.exists(wd.resolve("meson.build")));
  }

  /**
   * Moves each env change the step's Makefiles would ignore into `MAKEFLAGS` as a command-line
   * variable: a key the Makefiles assign with `=`/`:=` (not `?=`, `+=`, `@X@`), or whose flags
   * the compile lines in the log lack, or that MAKEFLAGS already defines. An appended key's value
   * there is the value it had for make (MAKEFLAGS' own definition, else the top Makefile's
   * value, else the env's) plus the addition. Null (with {@link #problem}) when the addition is
   * already in force or a Makefile uses `override`, which nothing from outside beats.
   */
  Map<String, String> deliver(Map<String, String> env, Map<String, String> adds) {
    return deliver(env, adds, java.util.Set.of());
  }

  /** As {@link #deliver(Map, Map)}; keys in {@code envOnly} (values from `env_remove`) stay env values. */
  Map<String, String> deliver(Map<String, String> env, Map<String, String> adds, java.util.Set<String> envOnly) {
    problem = null;
    String mf = env.containsKey("MAKEFLAGS") ? env.get("MAKEFLAGS") : effectiveEnv("MAKEFLAGS");
    Map<String, String> out = new LinkedHashMap<>(env);
    boolean changed = false;
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey();
      if (key.equals("MAKEFLAGS") || !MAKE_VAR.matcher(key).matches() || envOnly.contains(key)) continue;
      if (makeVars().kind(key) == MakeVars.Kind.OVERRIDE) {
        problem = "a Makefile of the step assigns " + key + " with override; neither the environment nor MAKEFLAGS can change it";
        return null;
      }
      if (!viaMakeflags(key)) continue;
      String value = e.getValue();
      String add = adds.get(key);
      if (add != null) {
        String base = MakeFlags.get(mf, key);
        if (base == null) base = makeVars().topValue(key);
        if (base == null) base = effectiveEnv(key);
        if ((" " + base + " ").contains(" " + add + " ")) {
          problem = add + " is already in the " + key + " make uses";
          return null;
        }
        value = base.isBlank() ? add : base + " " + add;
      }
      mf = MakeFlags.put(mf, key, value);
      out.remove(key);
      changed = true;
    }
    if (changed) out.put("MAKEFLAGS", mf);
    return out;
  }
}
