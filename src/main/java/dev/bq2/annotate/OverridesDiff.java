package dev.bq2.annotate;

import dev.bq2.Bq2Exception;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PhaseOverride;
import dev.bq2.plan.StepOverride;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The reverse of {@link dev.bq2.plan.OverridesApplier}: the overrides that turn `base` into
 * `target` (docs/formats.md#upstream-formats, the existing tool's `from_diff`), with its rules and its refusal
 * messages word for word. Where the existing tool silently drops a difference (description,
 * phase order, strategy, sources_directory, a removed env key, a field going from a value to
 * none) this refuses too, so that applying the result always reproduces the target; with
 * {@code lossy} those differences are only reported to {@code lost}, as the existing tool would
 * drop them.
 */
public final class OverridesDiff {
  private final boolean lossy;
  private final Consumer<String> lost;

  private OverridesDiff(boolean lossy, Consumer<String> lost) {
    this.lossy = lossy;
    this.lost = lost;
  }

  /** Strict: every difference is represented, or the whole diff is refused. */
  public static Overrides between(BuildPlan base, BuildPlan target) {
    return new OverridesDiff(false, s -> { }).diff(base, target);
  }

  /** As the existing tool: unrepresentable differences are reported to {@code lost} and dropped. */
  public static Overrides lossy(BuildPlan base, BuildPlan target, Consumer<String> lost) {
    return new OverridesDiff(true, lost).diff(base, target);
  }

  private Overrides diff(BuildPlan base, BuildPlan target) {
    if (!Objects.equals(base.formatVersion(), target.formatVersion())) {
      throw refuse("Build plan format version mismatch (base " + base.formatVersion() + ", target "
          + target.formatVersion() + ")");
    }
    List<String> added = target.phaseNames().stream().filter(n -> base.phase(n).isEmpty()).toList();
    if (!added.isEmpty()) throw refuse("Target plan introduces new phase(s): " + String.join(", ", added));
    List<String> removed = base.phaseNames().stream().filter(n -> target.phase(n).isEmpty()).toList();
    if (!removed.isEmpty()) throw refuse("Target plan removes phase(s): " + String.join(", ", removed));
    if (!base.phaseNames().equals(target.phaseNames())) {
      loss("Target plan reorders phases (base " + String.join(", ", base.phaseNames()) + "; target "
          + String.join(", ", target.phaseNames()) + "), which overrides cannot represent");
    }
    Map<String, PhaseOverride> phases = new LinkedHashMap<>();
    for (BuildPhase b : base.phases()) {
      PhaseOverride po = phase(b, target.phase(b.name()).orElseThrow());
      if (po != null) phases.put(b.name(), po);
    }
    return new Overrides(phases);
  }

  private PhaseOverride phase(BuildPhase b, BuildPhase t) {
    String p = b.name();
    if (!Objects.equals(b.description(), t.description())) {
      loss("Target plan changes the description of phase " + p + ", which overrides cannot represent");
    }
    String ns = Objects.equals(b.namespace(), t.namespace()) ? null : t.namespace();
    String prefix = Objects.equals(b.installPrefix(), t.installPrefix()) ? null : t.installPrefix();
    String destdir = null;
    Boolean destdirClear = null;
    if (!Objects.equals(b.destdir(), t.destdir())) {
      if (t.destdir() == null) destdirClear = true;
      else destdir = t.destdir();
    }
    Map<String, String> env = env(b.env(), t.env(), "phase " + p);

    List<String> baseNames = b.stepNames();
    List<String> targetNames = t.stepNames();
    Set<String> baseSet = Set.copyOf(baseNames);
    List<String> kept = baseNames.stream().filter(targetNames::contains).toList();
    for (int i = 0; i < kept.size(); i++) {
      if (!kept.get(i).equals(targetNames.get(i))) {
        throw refuse("Target plan reorders steps in phase " + p + "; expected " + kept.get(i) + " at index " + i
            + ", got " + targetNames.get(i));
      }
    }
    List<String> tail = targetNames.subList(kept.size(), targetNames.size());
    List<String> reintroduced = tail.stream().filter(baseSet::contains).distinct().toList();
    if (!reintroduced.isEmpty()) {
      throw refuse("Target plan reorders steps in phase " + p + "; unexpected step(s) reintroduced after append: "
          + String.join(", ", reintroduced));
    }
    List<String> packages = kept.size() == baseNames.size() ? null : kept;
    List<BuildStep> extra = t.steps().subList(kept.size(), t.steps().size());

    Map<String, StepOverride> steps = new LinkedHashMap<>();
    for (String name : kept) {
      StepOverride so = step(p, b.step(name).orElseThrow(), t.step(name).orElseThrow());
      if (so != null) steps.put(name, so);
    }
    PhaseOverride po = new PhaseOverride(ns, prefix, destdir, destdirClear, env.isEmpty() ? null : env, packages,
        extra.isEmpty() ? null : extra, steps.isEmpty() ? null : steps);
    return po.isNoop() ? null : po;
  }

  private StepOverride step(String p, BuildStep b, BuildStep t) {
    String s = b.name();
    String where = "phase " + p + " step " + s;
    if (!Objects.equals(b.packages(), t.packages())) {
      throw refuse("Target plan modifies package specs in phase " + p + " step " + s
          + "; overrides cannot represent package changes");
    }
    if (b.buildDir() != null && t.buildDir() == null) {
      throw refuse("Target plan clears phase " + p + " step " + s + " build_dir, which overrides cannot remove");
    }
    if (b.installPrefix() != null && t.installPrefix() == null) {
      throw refuse("Target plan clears phase " + p + " step " + s + " install_prefix, which overrides cannot remove");
    }
    if (!Objects.equals(b.strategy(), t.strategy())) {
      loss("Target plan changes the strategy of " + where + " (" + b.strategy() + " → " + t.strategy()
          + "), which overrides cannot represent");
    }
    if (!Objects.equals(b.sourcesDirectory(), t.sourcesDirectory())) {
      loss("Target plan changes sources_directory of " + where + ", which overrides cannot represent");
    }
    clears(where, "workdir", b.workdir(), t.workdir());
    clears(where, "sources", b.sources(), t.sources());
    clears(where, "extract_sources", b.extractSources(), t.extractSources());
    clears(where, "content", b.content(), t.content());

    String destdir = null;
    Boolean destdirClear = null;
    if (!Objects.equals(b.destdir(), t.destdir())) {
      if (t.destdir() == null) destdirClear = true;
      else destdir = t.destdir();
    }
    Map<String, String> env = env(b.env(), t.env(), where);
    List<String> flags = null;
    List<String> flagsAdd = List.of();
    if (!b.configureFlags().equals(t.configureFlags())) {
      if (startsWith(t.configureFlags(), b.configureFlags())) {
        flagsAdd = t.configureFlags().subList(b.configureFlags().size(), t.configureFlags().size());
      } else {
        flags = t.configureFlags();
      }
    }
    List<String> patches = null;
    List<String> patchesAdd = List.of();
    if (!b.patches().equals(t.patches())) {
      if (startsWith(t.patches(), b.patches())) {
        patchesAdd = t.patches().subList(b.patches().size(), t.patches().size());
      } else {
        patches = t.patches();
      }
    }
    StepOverride so = new StepOverride(
        changed(b.workdir(), t.workdir()),
        changed(b.buildDir(), t.buildDir()),
        changed(b.installPrefix(), t.installPrefix()),
        destdir, destdirClear,
        env.isEmpty() ? null : env,
        Objects.equals(b.cleanBuild(), t.cleanBuild()) ? null : t.cleanBuild(),
        changed(b.sources(), t.sources()),
        changed(b.extractSources(), t.extractSources()),
        changed(b.content(), t.content()),
        flags, flagsAdd, patches, patchesAdd);
    return so.isNoop() ? null : so;
  }

  /** Changed or new keys; a removed key cannot be expressed. */
  private Map<String, String> env(Map<String, String> b, Map<String, String> t, String where) {
    Map<String, String> out = new LinkedHashMap<>();
    t.forEach((k, v) -> {
      if (!v.equals(b.get(k))) out.put(k, v);
    });
    List<String> gone = b.keySet().stream().filter(k -> !t.containsKey(k)).toList();
    if (!gone.isEmpty()) {
      loss("Target plan removes env key(s) " + String.join(", ", gone) + " of " + where
          + ", which overrides cannot remove");
    }
    return out;
  }

  private void clears(String where, String field, Object b, Object t) {
    if (b != null && t == null) loss("Target plan clears " + where + " " + field + ", which overrides cannot remove");
  }

  private static <T> T changed(T b, T t) {
    return Objects.equals(b, t) ? null : t;
  }

  private static boolean startsWith(List<String> list, List<String> prefix) {
    return list.size() >= prefix.size() && list.subList(0, prefix.size()).equals(prefix);
  }

  private void loss(String message) {
    if (!lossy) {
      throw refuse(message + " (the existing tool would drop this difference silently; pass --lossy to accept that)");
    }
    lost.accept(message);
  }

  private static Bq2Exception refuse(String message) {
    return Bq2Exception.badInput(message);
  }

  /** The phase names an overrides object touches, in plan order. */
  public static List<String> touchedPhases(BuildPlan plan, Overrides overrides) {
    return plan.phaseNames().stream().filter(overrides.phases()::containsKey).collect(Collectors.toList());
  }
}
