package dev.bq2.propose;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.diagnose.FailureClass;
import dev.bq2.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules file (`{"format_version": 1, "rules": [...]}`). The built-in rules ship as the
 * resources listed, in order, in `rules/index.txt` (one file per rule family, so each family is
 * reviewed and tested on its own); a user file given with `--rules` is placed in front of
 * them (first applicable rule wins), and a user rule with a default's id replaces that default
 * (or switches it off with `"disabled": true`).
 */
@JsonPropertyOrder({"format_version", "rules"})
public record RuleSet(Integer formatVersion, List<Rule> rules) {
  public static final int FORMAT_VERSION = 1;
  public static final String INDEX_RESOURCE = "/rules/index.txt";

  public RuleSet {
    rules = rules == null ? List.of() : List.copyOf(rules);
  }

  /** The built-in rules: every file of `rules/index.txt`, in its order; ids unique across files. */
  public static RuleSet defaults() {
    List<Rule> all = new ArrayList<>();
    for (String name : resourceText(INDEX_RESOURCE).split("\n")) {
      String file = name.strip();
      if (file.isEmpty() || file.startsWith("#")) continue;
      all.addAll(parse(Path.of("classpath:/rules/" + file), resourceText("/rules/" + file)).rules());
    }
    RuleSet rs = new RuleSet(FORMAT_VERSION, all);
    rs.check(Path.of("classpath:" + INDEX_RESOURCE));
    return rs;
  }

  private static String resourceText(String resource) {
    try (InputStream in = RuleSet.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("resource " + resource + " is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  /** The defaults, with the user's file (when given) in front. */
  public static RuleSet load(Path userFile) {
    RuleSet d = defaults();
    if (userFile == null) return d;
    RuleSet user = parse(userFile, Json.readText(userFile, "fix the rules file (see docs/formats.md#proposals-rules-and-overrides-history)"));
    return user.before(d);
  }

  public static RuleSet parse(Path file, String text) {
    String fix = "fix the rules file (see docs/formats.md#proposals-rules-and-overrides-history)";
    RuleSet rs = Json.parse(file, text, RuleSet.class, fix);
    if (rs.formatVersion() == null || rs.formatVersion() != FORMAT_VERSION) {
      throw Bq2Exception.badInput(file + ": field format_version: expected " + FORMAT_VERSION + ", got "
          + rs.formatVersion() + "; " + fix);
    }
    rs.check(file);
    return rs;
  }

  /** This set's rules first; a default with the same id as one of ours is dropped. */
  public RuleSet before(RuleSet defaults) {
    Set<String> ids = new HashSet<>();
    rules.forEach(r -> ids.add(r.id()));
    List<Rule> all = new ArrayList<>(rules);
    defaults.rules().stream().filter(r -> !ids.contains(r.id())).forEach(all::add);
    return new RuleSet(FORMAT_VERSION, all);
  }

  /** Active rules with their compiled patterns, in order. */
  public Map<Rule, Pattern> active() {
    Map<Rule, Pattern> m = new LinkedHashMap<>();
    for (Rule r : rules) {
      if (!r.isDisabled()) m.put(r, Pattern.compile(r.match()));
    }
    return m;
  }

  private void check(Path file) {
    Set<String> seen = new HashSet<>();
    Set<String> classNames = new HashSet<>();
    for (FailureClass c : FailureClass.values()) classNames.add(c.name().toLowerCase(Locale.ROOT));
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      String at = file + ": field rules[" + i + "]";
      if (r == null) throw Bq2Exception.badInput(at + ": null rule; remove it");
      if (r.id() == null || !r.id().matches("[a-z0-9][a-z0-9._-]*")) {
        throw Bq2Exception.badInput(at + ".id: missing or not [a-z0-9._-]+ (" + r.id() + "); give each rule a short id");
      }
      if (!seen.add(r.id())) throw Bq2Exception.badInput(at + ".id: duplicate id " + r.id() + "; ids must be unique");
      if (r.isDisabled()) continue;
      for (String c : r.classes()) {
        if (!classNames.contains(c)) {
          throw Bq2Exception.badInput(at + ".classes: unknown failure class " + c + "; known: " + String.join(", ", classNames));
        }
      }
      if (r.match() == null || r.match().isEmpty()) {
        throw Bq2Exception.badInput(at + ".match: missing; give the regex the excerpt must contain");
      }
      try {
        Pattern.compile(r.match());
      } catch (PatternSyntaxException e) {
        throw Bq2Exception.badInput(at + ".match: bad regex (" + e.getDescription() + " at index " + e.getIndex()
            + "); fix the Java regex");
      }
      if (r.action() == null || r.action().isEmpty()) {
        throw Bq2Exception.badInput(at + ".action: missing or empty; give configure_flags_add, env_append, env_set, clean_build or escalate");
      }
      if (r.rationale() == null || r.rationale().isBlank() || r.rationale().contains("\n")) {
        throw Bq2Exception.badInput(at + ".rationale: missing or not one line; say in one line why the change fixes it");
      }
      if (r.options() != null) {
        for (String pick : r.options().pick()) {
          if (!Rule.PICKS.contains(pick)) {
            throw Bq2Exception.badInput(at + ".options.pick: unknown mechanism " + pick + "; known: " + String.join(", ", new java.util.TreeSet<>(Rule.PICKS)));
          }
        }
      }
    }
  }
}
