package dev.bq2.propose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the step's own Makefiles do with a make variable, read (never run) from the workdir and
 * build dir: whether they assign it in a way the environment cannot change (`CFLAGS = -O2`,
 * `:=`; not `?=`, `+=` or an autoconf `@CFLAGS@` substitution), and the value the top Makefile
 * gives it. GNU make lets the environment lose to every plain assignment, so a flag a rule adds
 * to `CFLAGS` in the env never reaches such a build; a command-line variable (which MAKEFLAGS
 * carries) does.
 */
final class MakeVars {
  /** How the Makefiles treat a variable. */
  enum Kind { NONE, SOFT, HARD, OVERRIDE }

  static final int MAX_DEPTH = 4;
  static final int MAX_FILES = 300;
  static final int MAX_DIRS = 2000;
  static final long MAX_SIZE = 2 << 20;
  private static final Pattern ASSIGN = Pattern.compile(
      "^\\s*((?:(?:override|export|private)\\s+)*)([A-Za-z_][A-Za-z0-9_.-]*)\\s*(:::=|::=|:=|!=|\\?=|\\+=|=)\\s*(.*)$");
  private static final Pattern CONDITIONAL = Pattern.compile("^\\s*(ifn?def|ifn?eq)\\b(.*)$");
  private static final Pattern INCLUDE = Pattern.compile("^\\s*[-s]?include\\s+(.+)$");
  private static final Pattern SUBST = Pattern.compile("@[A-Za-z_][A-Za-z0-9_]*@");
  private static final List<String> TOP = List.of("GNUmakefile", "makefile", "Makefile");

  /** One assignment as written. */
  record Assignment(Path file, String name, String op, String value, boolean override, boolean guarded) {
    /** The environment cannot change the variable after this assignment. */
    boolean hard() {
      return !op.equals("?=") && !op.equals("+=") && !guarded && !SUBST.matcher(value).find();
    }
  }

  private final List<Assignment> judged = new ArrayList<>();
  private final List<Assignment> all = new ArrayList<>();
  private final Path top;

  private MakeVars(Path top) {
    this.top = top;
  }

  /**
   * Scans the Makefiles under the given directories. A `configure` script in the workdir means
   * the Makefiles are its output (it honours the environment): then only the `.in` templates
   * are judged. A file with an `X.in` sibling, or that says it was generated, is judged by its
   * template, not itself; all files still serve to find which variable names a tool.
   *
   * @param makefile the file the strategy passes with `-f` (e.g. `Makefile.bq2`), or null
   */
  static MakeVars scan(Path workdir, Path buildDir, String makefile) {
    List<Path> dirs = new ArrayList<>();
    if (buildDir != null) dirs.add(buildDir);
    if (workdir != null && !dirs.contains(workdir)) dirs.add(workdir);
    Path top = null;
    for (Path d : dirs) {
      if (makefile != null && Files.isRegularFile(d.resolve(makefile))) top = d.resolve(makefile);
      for (String t : TOP) {
        if (top == null && Files.isRegularFile(d.resolve(t))) {
          top = Files.isRegularFile(d.resolve(t + ".in")) ? d.resolve(t + ".in") : d.resolve(t);
        }
      }
    }
    MakeVars mv = new MakeVars(top);
    boolean configured = workdir != null && Files.isRegularFile(workdir.resolve("configure"));
    List<Path> files = new ArrayList<>();
    for (Path d : dirs) collect(d, 0, files);
    for (Path f : files) {
      List<Assignment> as = read(f);
      mv.all.addAll(as);
      String name = f.getFileName().toString();
      boolean template = name.endsWith(".in");
      if (configured && !template) continue;
      if (!template && Files.isRegularFile(f.resolveSibling(name + ".in"))) continue;
      if (!template && generated(f)) continue;
      mv.judged.addAll(as);
    }
    return mv;
  }

  private static void collect(Path dir, int depth, List<Path> out) {
    collect(dir, depth, out, new int[] {0});
  }

  /** Depth-first, sorted; stops after {@link #MAX_DIRS} directories so a huge tree stays cheap. */
  private static void collect(Path dir, int depth, List<Path> out, int[] dirs) {
    if (depth > MAX_DEPTH || out.size() >= MAX_FILES || ++dirs[0] > MAX_DIRS || !Files.isDirectory(dir)) return;
    List<Path> sub = new ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (Files.isDirectory(p)) {
          if (!n.startsWith(".") && !n.equals("CMakeFiles") && !n.equals("node_modules")) sub.add(p);
        } else if (isMakefile(n) && !out.contains(p)) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      return;
    }
    for (Path p : sub) collect(p, depth + 1, out, dirs);
  }

  static boolean isMakefile(String n) {
    return TOP.contains(n) || n.equals("Makefile.in") || n.equals("Makefile.bq2") || n.endsWith(".mk")
        || n.endsWith(".mak") || n.equals("GNUmakefile.in") || n.equals("makefile.in");
  }

  private static boolean generated(Path f) {
    try (var in = Files.newInputStream(f)) {
      String head = new String(in.readNBytes(600), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      return head.contains("generated by") || head.contains("generated from") || head.contains("do not edit");
    } catch (IOException e) {
      return false;
    }
  }

  /** The assignments of one file, continuation lines joined, comments and recipe lines dropped. */
  static List<Assignment> read(Path f) {
    List<Assignment> out = new ArrayList<>();
    List<String> lines;
    try {
      if (Files.size(f) > MAX_SIZE) return out;
      lines = logicalLines(Files.readString(f, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      return out;
    }
    Deque<String> conds = new ArrayDeque<>();
    for (String line : lines) {
      if (line.startsWith("\t")) continue;
      String l = stripComment(line);
      Matcher c = CONDITIONAL.matcher(l);
      if (c.matches()) {
        conds.push(c.group(2));
        continue;
      }
      if (l.trim().equals("endif")) {
        if (!conds.isEmpty()) conds.pop();
        continue;
      }
      if (l.trim().startsWith("else")) continue;
      Matcher m = ASSIGN.matcher(l);
      if (!m.matches()) continue;
      String name = m.group(2);
      boolean guarded = conds.stream().anyMatch(x -> Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(x).find());
      out.add(new Assignment(f, name, m.group(3), m.group(4).trim(), m.group(1).contains("override"), guarded));
    }
    return out;
  }

  private static List<String> logicalLines(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String raw : text.split("\n", -1)) {
      String l = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (cur.length() > 0) l = l.stripLeading(); // make joins continuation lines with one space
      if (l.endsWith("\\")) {
        cur.append(l.substring(0, l.length() - 1).stripTrailing()).append(' ');
        continue;
      }
      cur.append(l);
      out.add(cur.toString());
      cur.setLength(0);
    }
    if (cur.length() > 0) out.add(cur.toString());
    return out;
  }

  private static String stripComment(String l) {
    for (int i = 0; i < l.length(); i++) {
      if (l.charAt(i) == '#' && (i == 0 || l.charAt(i - 1) != '\\')) return l.substring(0, i);
    }
    return l;
  }

  /** How the judged Makefiles treat {@code name}. */
  Kind kind(String name) {
    Kind k = Kind.NONE;
    for (Assignment a : judged) {
      if (!a.name().equals(name)) continue;
      if (a.override()) return Kind.OVERRIDE;
      if (a.hard()) k = Kind.HARD;
      else if (k == Kind.NONE) k = Kind.SOFT;
    }
    return k;
  }

  /**
   * The value the top Makefile (and the files it includes by a literal name) gives {@code name},
   * simulated in file order: `=`/`:=` replace, `+=` appends, `?=` sets when unset. Null when the
   * top Makefile does not assign it.
   */
  String topValue(String name) {
    if (top == null) return null;
    Map<String, String> vars = new LinkedHashMap<>();
    simulate(top, name, vars, 0);
    return vars.get(name);
  }

  private void simulate(Path f, String name, Map<String, String> vars, int depth) {
    if (depth > 3) return;
    List<String> lines;
    try {
      if (Files.size(f) > MAX_SIZE) return;
      lines = logicalLines(Files.readString(f, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      return;
    }
    for (String line : lines) {
      if (line.startsWith("\t")) continue;
      String l = stripComment(line);
      Matcher inc = INCLUDE.matcher(l);
      if (inc.matches()) {
        for (String w : inc.group(1).trim().split("\\s+")) {
          if (!w.contains("$") && !w.isEmpty()) {
            Path p = f.resolveSibling(w);
            if (Files.isRegularFile(p)) simulate(p, name, vars, depth + 1);
          }
        }
        continue;
      }
      Matcher m = ASSIGN.matcher(l);
      if (!m.matches() || !m.group(2).equals(name)) continue;
      String v = m.group(4).trim();
      switch (m.group(3)) {
        case "+=" -> vars.merge(name, v, (a, b) -> a.isEmpty() ? b : a + " " + b);
        case "?=" -> vars.putIfAbsent(name, v);
        default -> vars.put(name, v);
      }
    }
  }

  /**
   * The variable through which the Makefiles run {@code tool}: an assignment whose value starts
   * with the tool (or a path to it), or runs it through automake's `missing` script. Null when
   * no Makefile names it.
   */
  String variableRunning(String tool) {
    Pattern first = Pattern.compile("^(?:\\S*/)?" + Pattern.quote(tool) + "(?:\\s.*)?$");
    Pattern missing = Pattern.compile("missing['\"]?\\s+" + Pattern.quote(tool) + "(?![\\w.+-])");
    for (Assignment a : all) {
      if (first.matcher(a.value()).matches() || missing.matcher(a.value()).find()) return a.name();
    }
    return null;
  }

  private static final Pattern RULE = Pattern.compile("^([^\\s:=#][^:=]*?)\\s*::?(?![=])(.*)$");
  private static final Pattern DOC_TARGET = Pattern.compile(
      "(?:^|.*[./])(?:info|[1-9][a-z]?|html?|pdf|ps|dvi|txt|man|xml|epub)$|^(?:doc|docs|man|info|html|pdf)$");

  /**
   * The targets whose recipes use `$(var)`/`${var}`, over every Makefile read (generated ones
   * too: they are what make runs).
   */
  List<String> targetsUsing(String var) {
    List<String> out = new ArrayList<>();
    Pattern use = Pattern.compile("\\$[({]" + Pattern.quote(var) + "[)}]");
    List<Path> files = all.stream().map(Assignment::file).distinct().toList();
    for (Path f : files) {
      List<String> lines;
      try {
        lines = logicalLines(Files.readString(f, StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        continue;
      }
      List<String> current = List.of();
      for (String line : lines) {
        if (line.startsWith("\t")) {
          if (use.matcher(line).find()) current.stream().filter(t -> !out.contains(t)).forEach(out::add);
          continue;
        }
        String l = stripComment(line);
        if (l.isBlank()) continue;
        Matcher r = RULE.matcher(l);
        if (r.matches() && !ASSIGN.matcher(l).matches()) {
          current = List.of(r.group(1).trim().split("\\s+"));
          String inline = r.group(2);
          int semi = inline.indexOf(';');
          if (semi >= 0 && use.matcher(inline.substring(semi)).find()) {
            current.stream().filter(t -> !out.contains(t)).forEach(out::add);
          }
        } else {
          current = List.of();
        }
      }
    }
    return out;
  }

  /** A target that is documentation (an info manual, a man page, HTML/PDF/text, or a doc/man phony). */
  static boolean isDocTarget(String target) {
    return DOC_TARGET.matcher(target.replace("$(srcdir)/", "").replace("%", "x")).matches();
  }

  /** Every assignment's value, for evidence such as a `-std=` the Makefiles set. */
  List<String> values() {
    return all.stream().map(Assignment::value).toList();
  }
}
