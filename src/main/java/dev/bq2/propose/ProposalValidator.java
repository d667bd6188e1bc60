package dev.bq2.propose;

import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.StepOverride;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a proposal before anything is applied, whoever proposed it. Returns the reasons it is
 * refused; an empty list means it may be applied. The checks keep the overrides minimal and
 * safe: right target, a real change, not a repeat, small, no loader hijacking, one-line
 * values, patches only from the repo's `patches/`.
 */
public final class ProposalValidator {
  public static final int MAX_FLAGS = 4;
  public static final int MAX_ENV = 4;
  public static final int MAX_PATCHES = 2;

  /**
   * Keys that change which code runs in every child (dynamic loader, glibc secure-exec list,
   * shell start-up and interpreter hooks). `LD_LIBRARY_PATH` and `LD_RUN_PATH` stay allowed:
   * sysroot bootstraps legitimately set them (docs/formats.md#upstream-formats).
   */
  static final Set<String> DENIED_ENV = Set.of(
      "GCONV_PATH", "GETCONF_DIR", "HOSTALIASES", "LOCPATH", "MALLOC_TRACE", "NLSPATH",
      "RESOLV_HOST_CONF", "RES_OPTIONS", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "IFS", "PS4",
      "PERL5OPT", "PERL5LIB", "PYTHONSTARTUP", "PYTHONPATH", "RUBYOPT", "NODE_OPTIONS",
      "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");
  static final Set<String> ALLOWED_LD = Set.of("LD_LIBRARY_PATH", "LD_RUN_PATH");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private ProposalValidator() {}

  public static List<String> validate(Proposal p, ProposalRequest req) {
    List<String> why = new ArrayList<>();
    if (p == null) return List.of("no proposal");
    if (oversized(p, why)) return why;
    if (p.escalate()) {
      why.add(p.hasNoChanges() ? "escalation: no safe fix known, nothing to apply"
          : "escalate is true but the delta has changes; an escalation carries no changes");
      return why;
    }
    if (p.hasNoChanges()) {
      why.add("empty delta: it changes nothing");
      return why;
    }
    String phase = req.diagnosis().phase();
    String step = req.diagnosis().step();
    if (!Objects.equals(p.phase(), phase)) {
      why.add("targets phase " + p.phase() + " but the failure is in phase " + phase);
    }
    if (p.step() == null) {
      if (!p.configureFlagsAdd().isEmpty() || !p.patchesAdd().isEmpty() || p.buildDir() != null || p.cleanBuild() != null) {
        why.add("step is null (phase-wide) but the delta changes more than env; name the step " + step);
      }
    } else if (!p.step().equals(step)) {
      why.add("targets step " + p.step() + " but the failing step is " + step);
    }
    if (p.configureFlagsAdd().size() > MAX_FLAGS) why.add("too many configure flags (" + p.configureFlagsAdd().size() + " > " + MAX_FLAGS + ")");
    if (p.env().size() > MAX_ENV) why.add("too many env keys (" + p.env().size() + " > " + MAX_ENV + ")");
    if (p.patchesAdd().size() > MAX_PATCHES) why.add("too many patches (" + p.patchesAdd().size() + " > " + MAX_PATCHES + ")");
    for (String f : p.configureFlagsAdd()) {
      if (f == null || f.isBlank()) why.add("empty configure flag");
      else lineCheck("configure flag " + f, f, why);
    }
    for (Map.Entry<String, String> e : p.env().entrySet()) {
      String k = e.getKey();
      if (!ENV_KEY.matcher(k).matches()) why.add("env key " + printable(k) + " is not a shell variable name");
      if (DENIED_ENV.contains(k) || k.startsWith("LD_") && !ALLOWED_LD.contains(k) || k.startsWith("BASH_FUNC_")) {
        why.add("env key " + k + " can hijack the loader or shell of every child; not allowed in an override");
      }
      if (e.getValue() == null) why.add("env " + k + " has no value (keys cannot be removed by overrides)");
      else lineCheck("env " + k, e.getValue(), why);
      if (k.equals("MAKEFLAGS") && e.getValue() != null) checkMakeflags(e.getValue(), why);
    }
    if (p.buildDir() != null) {
      lineCheck("build_dir", p.buildDir(), why);
      Path bd = Path.of(p.buildDir().replace('\0', '_'));
      if (bd.isAbsolute() || bd.normalize().startsWith("..") || p.buildDir().isBlank()) {
        why.add("build_dir " + printable(p.buildDir()) + " must be a relative path inside the workdir");
      }
    }
    if (p.rationale() != null) lineCheck("rationale", p.rationale(), why);
    for (String patch : p.patchesAdd()) checkPatch(patch, req.repo(), why);
    if (!why.isEmpty()) return why;
    if (!changesEffectiveStep(p, req.phase(), req.step())) {
      why.add("changes nothing in the effective step " + phase + "/" + step + " (already in force)");
    }
    if (req.tried() != null) {
      for (TriedDelta t : req.tried()) {
        if (t != null && sameChanges(t.delta(), p)) {
          why.add("already tried for this failure (by " + t.proposer() + ", outcome " + t.outcome() + ")");
          break;
        }
      }
    }
    return why;
  }

  /**
   * Size bounds (json.TextBounds), checked first so that no other reason quotes a huge value:
   * an oversized flag or env value makes the build fail with "Argument list too long" and its
   * error text swell every file it is stored in.
   */
  private static boolean oversized(Proposal p, List<String> why) {
    int max = dev.bq2.json.TextBounds.FLAG;
    int maxEnv = dev.bq2.json.TextBounds.ENV_VALUE;
    int maxWhy = dev.bq2.json.TextBounds.RATIONALE;
    if (p.configureFlagsAdd().size() > 64) why.add("too many configure flags (" + p.configureFlagsAdd().size() + ")");
    else {
      for (int i = 0; i < p.configureFlagsAdd().size(); i++) {
        String f = p.configureFlagsAdd().get(i);
        if (f != null && f.length() > max) why.add("configure flag #" + (i + 1) + " is " + f.length() + " chars (at most " + max + ")");
      }
    }
    if (p.env().size() > 64) why.add("too many env keys (" + p.env().size() + ")");
    else {
      p.env().forEach((k, v) -> {
        if (k != null && k.length() > 256) why.add("an env key is " + k.length() + " chars (at most 256)");
        else if (v != null && v.length() > maxEnv) why.add("env " + k + " is " + v.length() + " chars (at most " + maxEnv + ")");
      });
    }
    if (p.patchesAdd().size() > 64) why.add("too many patches (" + p.patchesAdd().size() + ")");
    else {
      for (String patch : p.patchesAdd()) {
        if (patch != null && patch.length() > 4096) why.add("a patch path is " + patch.length() + " chars (at most 4096)");
      }
    }
    if (p.buildDir() != null && p.buildDir().length() > 4096) why.add("build_dir is " + p.buildDir().length() + " chars (at most 4096)");
    if (p.rationale() != null && p.rationale().length() > maxWhy) {
      why.add("rationale is " + p.rationale().length() + " chars (at most " + maxWhy + ")");
    }
    for (String s : new String[] {p.phase(), p.step()}) {
      if (s != null && s.length() > 4096) why.add("a phase or step name is " + s.length() + " chars (at most 4096)");
    }
    return !why.isEmpty();
  }

  /**
   * Make variables that change how every recipe runs (its shell, or extra makefiles read
   * first): as command-line variables in MAKEFLAGS they would hijack the whole build, like the
   * shell hooks refused as env keys.
   */
  static final Set<String> DENIED_MAKE_VARS = Set.of("SHELL", ".SHELLFLAGS", "MAKESHELL", "MAKEFILES", "MAKE");

  static void checkMakeflags(String makeflags, List<String> why) {
    for (String w : MakeFlags.words(makeflags)) {
      int eq = w.indexOf('=');
      if (w.startsWith("-") || eq <= 0) continue;
      String name = w.substring(0, eq).replaceAll("[:+?!]+$", "");
      if (DENIED_MAKE_VARS.contains(name)) {
        why.add("MAKEFLAGS defines " + name + ", which changes how every recipe runs; not allowed in an override");
      }
    }
  }

  private static void lineCheck(String what, String v, List<String> why) {
    if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\0') >= 0) {
      why.add(what.replaceAll("[\\n\\r\\x00]", "?") + ": newline or NUL in value");
    }
  }

  private static String printable(String s) {
    return s.replaceAll("[\\n\\r\\x00]", "?");
  }

  /** Patches must be regular files under `<repo>/patches/`, also after resolving symlinks. */
  static void checkPatch(String patch, Path repo, List<String> why) {
    if (patch == null || patch.isBlank()) {
      why.add("empty patch path");
      return;
    }
    lineCheck("patch " + patch, patch, why);
    if (patch.indexOf('\0') >= 0) return;
    if (repo == null) {
      why.add("patch " + patch + ": no repo known, so no patches/ to take it from; pass --repo");
      return;
    }
    Path patches = repo.toAbsolutePath().normalize().resolve("patches");
    Path p = Path.of(patch);
    Path abs = (p.isAbsolute() ? p : repo.toAbsolutePath().resolve(p)).normalize();
    if (!abs.startsWith(patches) || abs.equals(patches)) {
      why.add("patch " + patch + " is outside " + patches + "; patches come only from the repo's patches/");
      return;
    }
    try {
      Path realPatches = patches.toRealPath();
      Path real = abs.toRealPath();
      if (!real.startsWith(realPatches)) {
        why.add("patch " + patch + " resolves (through a symlink) to " + real + ", outside " + realPatches);
      } else if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        why.add("patch " + patch + " is not a regular file");
      }
    } catch (IOException e) {
      why.add("patch " + patch + " does not exist under " + patches);
    }
  }

  /** Applies the delta to a copy of the effective step (and phase env) and compares. */
  public static boolean changesEffectiveStep(Proposal p, BuildPhase phase, BuildStep step) {
    if (step == null || phase == null) return true;
    Map<String, String> envBefore = effectiveEnv(phase.env(), step.env());
    if (p.step() == null) {
      Map<String, String> phaseEnv = new LinkedHashMap<>(phase.env());
      phaseEnv.putAll(p.env());
      return !effectiveEnv(phaseEnv, step.env()).equals(envBefore);
    }
    List<String> newFlags = p.configureFlagsAdd().stream().filter(f -> !step.configureFlags().contains(f)).toList();
    List<String> newPatches = p.patchesAdd().stream().filter(f -> !step.patches().contains(f)).toList();
    StepOverride so = StepOverride.empty().withEnv(p.env().isEmpty() ? null : p.env())
        .withConfigureFlagsAdd(newFlags).withPatchesAdd(newPatches).withBuildDir(p.buildDir())
        .withCleanBuild(p.cleanBuild());
    BuildStep after = OverridesApplier.applyStep(step, so);
    return !after.equals(step) || !effectiveEnv(phase.env(), after.env()).equals(envBefore);
  }

  static Map<String, String> effectiveEnv(Map<String, String> phaseEnv, Map<String, String> stepEnv) {
    Map<String, String> m = new LinkedHashMap<>(phaseEnv);
    m.putAll(stepEnv);
    return m;
  }

  /** Same target and same changes; the rationale and who proposed it do not matter. */
  public static boolean sameChanges(Proposal a, Proposal b) {
    if (a == null || b == null) return false;
    return Objects.equals(a.phase(), b.phase()) && Objects.equals(a.step(), b.step())
        && Set.copyOf(a.configureFlagsAdd()).equals(Set.copyOf(b.configureFlagsAdd()))
        && a.env().equals(b.env()) && Set.copyOf(a.patchesAdd()).equals(Set.copyOf(b.patchesAdd()))
        && Objects.equals(a.buildDir(), b.buildDir()) && Objects.equals(a.cleanBuild(), b.cleanBuild());
  }
}
