package dev.bq2.propose;

import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in proposer: the first rule (in file order) that knows the failure, whose
 * conditions hold and whose delta passes {@link ProposalValidator} (a real change, not tried
 * before for this signature) wins. No rule → empty, never a guess.
 */
public final class RuleProposer implements Proposer {
  private static final Pattern GROUP = Pattern.compile("\\{(\\d+)\\}");
  private static final Pattern JOBS = Pattern.compile("^(?:-j|--jobs=?)(\\d*)$|^--parallel=(\\d+)$");
  private final RuleSet rules;
  private final Map<Rule, Pattern> active;
  private String lastRule;
  private final List<String> skipped = new ArrayList<>();

  public RuleProposer(RuleSet rules) {
    this.rules = rules;
    this.active = rules.active();
  }

  public static RuleProposer withDefaults() {
    return new RuleProposer(RuleSet.defaults());
  }

  @Override
  public String name() {
    return "rules";
  }

  public RuleSet rules() {
    return rules;
  }

  /** The id of the rule behind the last proposal (null when none). */
  public String lastRule() {
    return lastRule;
  }

  /** Rules that matched in the last call but were passed over, with why (for journals). */
  public List<String> skipped() {
    return List.copyOf(skipped);
  }

  @Override
  public Optional<Proposal> propose(ProposalRequest req) {
    lastRule = null;
    skipped.clear();
    Diagnosis d = req.diagnosis();
    String cls = d.failureClass().name().toLowerCase(Locale.ROOT);
    List<String> text = new ArrayList<>(d.excerpt());
    if (d.error() != null) text.add(d.error());
    Facts facts = new Facts(req);
    text.addAll(facts.tc().compilerCheckErrors(text));
    for (Map.Entry<Rule, Pattern> e : active.entrySet()) {
      Rule rule = e.getKey();
      if (!rule.classes().isEmpty() && !rule.classes().contains(cls)) continue;
      boolean errorOnly = rule.when() != null && Boolean.TRUE.equals(rule.when().diagnosticIsError());
      Matcher m = errorOnly ? ToolchainRules.firstErrorMatch(e.getValue(), text) : firstMatch(e.getValue(), text);
      if (m == null) {
        if (errorOnly && firstMatch(e.getValue(), text) != null) {
          skipped.add(rule.id() + ": the diagnostic is only a warning in this build");
        }
        continue;
      }
      String unmet = unmetCondition(rule.when(), m, text, facts);
      if (unmet == null) unmet = facts.tc().unmet(rule.when(), m, text);
      if (unmet != null) {
        skipped.add(rule.id() + ": " + unmet);
        continue;
      }
      Proposal p = build(rule, m, req, facts);
      if (p == null) {
        String why = facts.tc().problem();
        skipped.add(rule.id() + ": " + (why != null ? why : "its template could not be filled"));
        continue;
      }
      if (p.escalate()) {
        lastRule = rule.id();
        return Optional.of(p);
      }
      List<String> why = ProposalValidator.validate(p, req);
      if (!why.isEmpty()) {
        skipped.add(rule.id() + ": " + String.join("; ", why));
        continue;
      }
      lastRule = rule.id();
      return Optional.of(p);
    }
    return Optional.empty();
  }

  private static Matcher firstMatch(Pattern p, List<String> text) {
    for (String line : text) {
      Matcher m = p.matcher(line);
      if (m.find()) return m;
    }
    return null;
  }

  /** Null when every condition holds, else a short reason. */
  private static String unmetCondition(Rule.When w, Matcher m, List<String> text, Facts f) {
    if (w == null) return null;
    if (w.strategies() != null && !w.strategies().isEmpty()) {
      String s = f.step == null ? null : f.step.strategy();
      if (!w.strategies().contains(s)) return "strategy " + s + " not in " + w.strategies();
    }
    if (w.excerptHas() != null && text.stream().noneMatch(l -> l.contains(w.excerptHas()))) {
      return "excerpt lacks '" + w.excerptHas() + "'";
    }
    if (w.configureOffers() != null && !f.configureOffers(w.configureOffers())) {
      return "configure does not offer " + w.configureOffers();
    }
    if (Boolean.TRUE.equals(w.parallelMake()) && !f.parallelMake(text)) return "the build was not parallel";
    if (w.namedInMakefile() != null) {
      int g = w.namedInMakefile();
      String name = g <= m.groupCount() ? m.group(g) : null;
      if (name == null || !f.namedInMakefile(Path.of(name).getFileName().toString())) {
        return "'" + name + "' is not a product of this build's Makefile";
      }
    }
    return null;
  }

  private Proposal build(Rule rule, Matcher m, ProposalRequest req, Facts f) {
    Diagnosis d = req.diagnosis();
    Rule.Action a = rule.action();
    String rationale = fill(rule.rationale(), m, f);
    if (rationale == null) return null;
    rationale = rationale + " (rule " + rule.id() + ")";
    if (Boolean.TRUE.equals(a.escalate())) return Proposal.escalate(d.phase(), d.step(), rationale);
    List<String> flags = new ArrayList<>();
    for (String t : a.configureFlagsAdd()) {
      String v = fill(t, m, f);
      if (v == null) return null;
      flags.add(v);
    }
    Map<String, String> env = new LinkedHashMap<>();
    Map<String, String> adds = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : a.envAppend().entrySet()) {
      String key = fill(e.getKey(), m, f);
      String add = fill(e.getValue(), m, f);
      if (add == null || key == null) return null;
      String cur = f.effectiveEnv(key);
      if (!f.tc().viaMakeflags(key) && (" " + cur + " ").contains(" " + add + " ")) return null;
      env.put(key, cur.isBlank() ? add : cur + " " + add);
      adds.put(key, add);
    }
    for (Map.Entry<String, String> e : a.envSet().entrySet()) {
      String key = fill(e.getKey(), m, f);
      String v = fill(e.getValue(), m, f);
      if (v == null || key == null) return null;
      env.put(key, v);
    }
    if (!a.envRemove().isEmpty()) {
      Map<String, String> bad = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : a.envRemove().entrySet()) {
        String v = fill(e.getValue(), m, f);
        if (v == null) return null;
        bad.put(e.getKey(), v);
      }
      Map<String, String> removed = f.tc().remove(bad);
      if (removed == null) {
        return Proposal.escalate(d.phase(), d.step(), rationale.replace(" (rule " + rule.id() + ")", "")
            + "; but " + String.join("/", new java.util.LinkedHashSet<>(bad.values()))
            + " is in no env this plan sets (" + String.join(", ", bad.keySet())
            + "), so it comes from the package or the toolchain and a person must remove it (rule " + rule.id() + ")");
      }
      env.putAll(removed);
    }
    env = f.tc().deliver(env, adds, a.envRemove().keySet());
    if (env == null) return null;
    return new Proposal(d.phase(), d.step(), flags, env, List.of(), null, a.cleanBuild(), rationale, false);
  }

  /** Fills `{N}` from the match and `{build_triplet}`; null when a value is missing. */
  private static String fill(String template, Matcher m, Facts f) {
    if (template == null) return null;
    String s = f.tc().fill(template);
    if (s == null) return null;
    if (s.contains("{build_triplet}")) {
      String t = f.buildTriplet();
      if (t == null) return null;
      s = s.replace("{build_triplet}", t);
    }
    Matcher g = GROUP.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (g.find()) {
      int n = Integer.parseInt(g.group(1));
      String v = n <= m.groupCount() ? m.group(n) : null;
      if (v == null) return null;
      g.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    g.appendTail(sb);
    return sb.toString();
  }

  /** What rule conditions look at, computed lazily once per request. */
  private static final class Facts {
    final BuildPhase phase;
    final BuildStep step;
    final Diagnosis d;
    private String triplet;
    private boolean tripletDone;
    private ToolchainRules tc;

    /** The toolchain family's facts (Makefiles, compile lines, compiler probes), made on first use. */
    ToolchainRules tc() {
      if (tc == null) tc = new ToolchainRules(phase, step, d);
      return tc;
    }

    Facts(ProposalRequest req) {
      this.phase = req.phase();
      this.step = req.step();
      this.d = req.diagnosis();
    }

    /** Step env, else phase env, else empty (the inherited process env is not ours to see). */
    String effectiveEnv(String key) {
      if (step != null && step.env().containsKey(key)) return step.env().get(key);
      if (phase != null && phase.env().containsKey(key)) return phase.env().get(key);
      return "";
    }

    Path workdir() {
      return step == null || step.workdir() == null ? null : Path.of(step.workdir());
    }

    boolean configureOffers(String option) {
      Path wd = workdir();
      if (wd == null) return false;
      Path configure = wd.resolve("configure");
      if (!Files.isRegularFile(configure)) return false;
      try {
        return Files.readString(configure, StandardCharsets.ISO_8859_1).contains(option);
      } catch (IOException e) {
        return false;
      }
    }

    boolean parallelMake(List<String> text) {
      if (text.stream().anyMatch(l -> l.contains("Waiting for unfinished jobs"))) return true;
      List<String> cmd = command();
      for (int i = 0; i < cmd.size(); i++) {
        Matcher j = JOBS.matcher(cmd.get(i));
        if (!j.matches()) continue;
        String n = j.group(1) != null ? j.group(1) : j.group(2);
        if (n == null || n.isEmpty()) {
          n = i + 1 < cmd.size() && cmd.get(i + 1).matches("\\d+") ? cmd.get(i + 1) : "2";
        }
        if (Integer.parseInt(n) > 1) return true;
      }
      return false;
    }

    private List<String> command() {
      if (d.report() == null || !Files.isRegularFile(d.report())) return List.of();
      try {
        FailureReport r = ReportFiles.read(d.report());
        return r.command() == null ? List.of() : Diagnoser.commandWords(r.command());
      } catch (RuntimeException e) {
        return List.of();
      }
    }

    boolean namedInMakefile(String fileName) {
      Path wd = workdir();
      if (wd == null) return false;
      List<Path> dirs = new ArrayList<>(List.of(wd));
      if (step.buildDir() != null) dirs.add(wd.resolve(step.buildDir()));
      Pattern word = Pattern.compile("(?<![\\w.+-])" + Pattern.quote(fileName) + "(?![\\w+-])");
      for (Path dir : dirs) {
        for (String mk : List.of("GNUmakefile", "makefile", "Makefile", "Makefile.bq2")) {
          Path f = dir.resolve(mk);
          try {
            if (Files.isRegularFile(f) && Files.size(f) < (16 << 20)
                && word.matcher(Files.readString(f, StandardCharsets.ISO_8859_1)).find()) {
              return true;
            }
          } catch (IOException e) {
            // unreadable Makefile: no evidence
          }
        }
      }
      return false;
    }

    /** `$CC -dumpmachine` (CC from the effective env, else cc, else gcc). */
    String buildTriplet() {
      if (tripletDone) return triplet;
      tripletDone = true;
      List<String> compilers = new ArrayList<>();
      String cc = effectiveEnv("CC").trim();
      if (!cc.isEmpty()) compilers.add(cc.split("\\s+")[0]);
      compilers.add("cc");
      compilers.add("gcc");
      for (String c : compilers) {
        try {
          Process p = new ProcessBuilder(c, "-dumpmachine").redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
          byte[] out = p.getInputStream().readNBytes(256);
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            continue;
          }
          String t = new String(out, StandardCharsets.UTF_8).trim();
          if (p.exitValue() == 0 && t.matches("[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+){1,3}")) {
            triplet = t;
            return t;
          }
        } catch (IOException e) {
          // this compiler is not installed; try the next
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      return null;
    }
  }
}
