package dev.bq2.cli;

import dev.bq2.EditDistance;
import dev.bq2.Bq2Exception;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The user's defaults (`bq2.properties`): one `KEY=VALUE` per line, a key being a long option name
 * without its dashes (`assistant=codex`), or limited to one command as picocli reads it
 * (`bq2.iterate.max-iterations=40`); `#` and `!` start comments. A typo must not be ignored
 * silently for a whole night: an unknown key, a key set twice, a value the option would refuse
 * and a `$BQ2_CONFIG` naming no file are errors naming the file and line (exit 2).
 */
final class ConfigFile {
  /** One setting and the line it is on. */
  record Entry(String key, String value, int line) {}

  private final Path file;
  private final Map<String, Entry> entries;

  private ConfigFile(Path file, Map<String, Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /**
   * `$BQ2_CONFIG` (which must exist), else `$XDG_CONFIG_HOME/bq2/bq2.properties`, else
   * `$HOME/.config/bq2/bq2.properties` ({@code userHome} when HOME is unset).
   */
  static Path location(Map<String, String> env, String userHome) {
    String given = env.get("BQ2_CONFIG");
    if (given != null && !given.isBlank()) return Path.of(given);
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "bq2", "bq2.properties");
    String home = env.get("HOME");
    return Path.of(home != null && !home.isBlank() ? home : userHome, ".config", "bq2", "bq2.properties");
  }

  /** The file at {@link #location}, read and its lines parsed; null when there is none (and none was asked for). */
  static ConfigFile load(Map<String, String> env, String userHome) {
    Path file = location(env, userHome);
    boolean asked = env.get("BQ2_CONFIG") != null && !env.get("BQ2_CONFIG").isBlank();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (!asked) return null;
      throw Bq2Exception.badInput("$BQ2_CONFIG names " + file + ", which does not exist; create it or unset BQ2_CONFIG");
    } catch (IOException e) {
      if (!asked && Files.notExists(file)) return null;
      throw Bq2Exception.badInput(file + ": cannot read the bq2 config file (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); fix its permissions or move it away");
    }
    return new ConfigFile(file, parse(file, lines));
  }

  private static Map<String, Entry> parse(Path file, List<String> lines) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      int n = i + 1;
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) continue;
      int eq = firstSeparator(line);
      if (eq < 0) {
        throw Bq2Exception.badInput(file + ":" + n + ": '" + line + "' is not KEY=VALUE; write e.g. assistant=codex");
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (key.isEmpty()) throw Bq2Exception.badInput(file + ":" + n + ": no key before '" + line.charAt(eq) + "'; write e.g. assistant=codex");
      Entry before = out.get(key);
      if (before != null) {
        throw Bq2Exception.badInput(file + ":" + n + ": '" + key + "' is set again (first on line " + before.line()
            + "); keep one of them");
      }
      out.put(key, new Entry(key, value, n));
    }
    return out;
  }

  /** `=` or `:`, as in a properties file. */
  private static int firstSeparator(String line) {
    int eq = line.indexOf('=');
    int colon = line.indexOf(':');
    if (eq < 0) return colon;
    return colon < 0 ? eq : Math.min(eq, colon);
  }

  Path file() {
    return file;
  }

  /** The settings for picocli's `PropertiesDefaultProvider`. */
  Properties properties() {
    Properties p = new Properties();
    entries.values().forEach(e -> p.setProperty(e.key(), e.value()));
    return p;
  }

  /**
   * Checks every key against the options of {@code tree} (the whole `bq2` command tree, without
   * defaults from this file), then every value by letting picocli apply the file as defaults to
   * each command: its converters refuse what they would refuse on the command line.
   */
  void check(CommandLine tree) {
    Map<String, OptionSpec> keys = new LinkedHashMap<>();
    collectKeys(tree, keys);
    for (Entry e : entries.values()) {
      if (!keys.containsKey(e.key())) {
        String near = nearest(e.key(), keys.keySet());
        throw Bq2Exception.badInput(file + ":" + e.line() + ": unknown key '" + e.key() + "'"
            + (near == null ? "" : " (did you mean '" + near + "'?)")
            + "; keys are long option names without dashes, e.g. max-iterations=40");
      }
    }
    if (entries.isEmpty()) return;
    tree.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(properties()));
    Entry worst = null;
    String why = null;
    for (List<String> path : commandPaths(tree, new ArrayList<>())) {
      try {
        tree.parseArgs(path.toArray(String[]::new));
      } catch (CommandLine.ParameterException ex) {
        if (!(ex.getArgSpec() instanceof OptionSpec o)) continue; // a required positional: not ours
        Entry e = entryFor(o);
        if (e == null) continue; // a required option left out, not a default from the file
        if (worst == null || e.line() < worst.line()) {
          worst = e;
          why = reason(ex);
        }
      }
    }
    if (worst != null) {
      throw Bq2Exception.badInput(file + ":" + worst.line() + ": " + worst.key() + "=" + worst.value() + ": " + why);
    }
  }

  /** The entry that supplied {@code o}'s default: the command-qualified key first, as picocli looks it up. */
  private Entry entryFor(OptionSpec o) {
    String key = stripDashes(o.longestName());
    Entry qualified = o.command() == null ? null : entries.get(o.command().qualifiedName(".") + "." + key);
    return qualified != null ? qualified : entries.get(key);
  }

  private static String reason(CommandLine.ParameterException ex) {
    String m = ex.getMessage() == null ? "refused" : ex.getMessage();
    return m.replaceFirst("^Invalid value for option '[^']*'( \\([^)]*\\))?: ", "");
  }

  /** Every key picocli would look up: `name` and `bq2.<command path>.name` for each non-help option. */
  private static void collectKeys(CommandLine cl, Map<String, OptionSpec> keys) {
    CommandSpec spec = cl.getCommandSpec();
    for (OptionSpec o : spec.options()) {
      if (o.usageHelp() || o.versionHelp()) continue;
      String key = stripDashes(o.longestName());
      keys.putIfAbsent(key, o);
      keys.putIfAbsent(spec.qualifiedName(".") + "." + key, o);
    }
    for (CommandLine sub : cl.getSubcommands().values()) collectKeys(sub, keys);
  }

  /** The argument lists that select each command of the tree (the root's is empty). */
  private static List<List<String>> commandPaths(CommandLine cl, List<String> prefix) {
    List<List<String>> out = new ArrayList<>();
    out.add(prefix);
    for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
      if (sub.getValue().getCommandSpec().name().equals("help")) continue;
      if (!sub.getKey().equals(sub.getValue().getCommandSpec().name())) continue; // an alias
      List<String> p = new ArrayList<>(prefix);
      p.add(sub.getKey());
      out.addAll(commandPaths(sub.getValue(), p));
    }
    return out;
  }

  private static String stripDashes(String name) {
    return name.replaceFirst("^-+", "");
  }

  /** The known key closest to a typo (at most a quarter of its letters off, and at least 2), or null. */
  static String nearest(String key, java.util.Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : new TreeSet<>(known)) {
      int d = EditDistance.between(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
  }

}
