package dev.bq2.annotate;

import dev.bq2.plan.BuildStep;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PhaseOverride;
import dev.bq2.plan.StepOverride;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The overrides as behaviour changes a person reads: one line per phase or step entry. */
public final class OverridesText {
  /** What one entry changes; {@code step} null for the phase itself. */
  public record Change(String phase, String step, List<String> parts) {
    public String target() {
      return step == null ? phase : phase + "/" + step;
    }

    public String line() {
      return target() + ": " + String.join("; ", parts);
    }
  }

  private OverridesText() {}

  public static List<Change> changes(Overrides o) {
    List<Change> out = new ArrayList<>();
    o.phases().forEach((phase, po) -> {
      List<String> parts = new ArrayList<>();
      if (po.namespace() != null) parts.add("namespace " + po.namespace());
      if (po.installPrefix() != null) parts.add("install_prefix " + po.installPrefix());
      if (Boolean.TRUE.equals(po.destdirClear())) parts.add("no destdir");
      else if (po.destdir() != null) parts.add("destdir " + po.destdir());
      env(po.env(), parts);
      if (po.packages() != null) parts.add("only steps " + (po.packages().isEmpty() ? "(none)" : String.join(", ", po.packages())));
      if (po.extraSteps() != null) {
        for (BuildStep s : po.extraSteps()) parts.add("new step " + s.name() + " (" + s.strategy() + ")");
      }
      if (!parts.isEmpty()) out.add(new Change(phase, null, parts));
      if (po.steps() != null) po.steps().forEach((step, so) -> {
        List<String> sp = step(so);
        if (!sp.isEmpty()) out.add(new Change(phase, step, sp));
      });
    });
    return out;
  }

  static List<String> step(StepOverride so) {
    List<String> parts = new ArrayList<>();
    if (so.configureFlags() != null) parts.add("configure flags replaced by [" + String.join(" ", so.configureFlags()) + "]");
    if (!so.configureFlagsAdd().isEmpty()) parts.add("configure flags + " + String.join(" ", so.configureFlagsAdd()));
    env(so.env(), parts);
    if (so.patches() != null) parts.add("patches replaced by [" + String.join(" ", so.patches()) + "]");
    if (!so.patchesAdd().isEmpty()) parts.add("patches + " + String.join(" ", so.patchesAdd()));
    if (so.workdir() != null) parts.add("workdir " + so.workdir());
    if (so.buildDir() != null) parts.add("build_dir " + so.buildDir());
    if (so.installPrefix() != null) parts.add("install_prefix " + so.installPrefix());
    if (Boolean.TRUE.equals(so.destdirClear())) parts.add("no destdir");
    else if (so.destdir() != null) parts.add("destdir " + so.destdir());
    if (so.cleanBuild() != null) parts.add(so.cleanBuild() ? "clean build" : "no clean build");
    if (so.sources() != null) parts.add("sources replaced");
    if (so.extractSources() != null) parts.add("extract_sources replaced");
    if (so.content() != null) parts.add("content replaced");
    return parts;
  }

  private static void env(Map<String, String> env, List<String> parts) {
    if (env != null) env.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
  }
}
