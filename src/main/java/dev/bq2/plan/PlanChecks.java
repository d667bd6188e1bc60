package dev.bq2.plan;

import dev.bq2.Bq2Exception;
import dev.bq2.json.TextBounds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every plan we run, as loaded and again after the overrides are applied: names are
 * unique (a second step `hello` would never run and status would point at it forever; two phases
 * of one name would be merged), and each step's command line fits what the kernel will exec (a
 * step with millions of flags fails with "Argument list too long" and its error text would swell
 * every file it is written to).
 */
public final class PlanChecks {
  private PlanChecks() {}

  /** @param where the file and, for an applied plan, "after applying overrides FILE" */
  public static BuildPlan check(BuildPlan plan, String where) {
    List<String> problems = new ArrayList<>();
    Map<String, List<Integer>> phases = new LinkedHashMap<>();
    for (int i = 0; i < plan.phases().size(); i++) {
      phases.computeIfAbsent(plan.phases().get(i).name(), k -> new ArrayList<>()).add(i);
    }
    phases.forEach((name, at) -> {
      if (at.size() > 1) problems.add("phase name \"" + name + "\" used " + at.size() + " times (" + positions("phases", at) + ")");
    });
    for (int i = 0; i < plan.phases().size(); i++) {
      BuildPhase phase = plan.phases().get(i);
      Map<String, List<Integer>> steps = new LinkedHashMap<>();
      for (int j = 0; j < phase.steps().size(); j++) {
        steps.computeIfAbsent(phase.steps().get(j).name(), k -> new ArrayList<>()).add(j);
      }
      int pi = i;
      steps.forEach((name, at) -> {
        if (at.size() > 1) {
          problems.add("step name \"" + name + "\" used " + at.size() + " times in phase " + phase.name() + " ("
              + positions("phases[" + pi + "].steps", at) + ")");
        }
      });
    }
    if (!problems.isEmpty()) {
      throw Bq2Exception.badInput(where + ": duplicate names: " + String.join("; ", problems)
          + "; rename or remove the duplicates (names must be unique: progress is kept by name)");
    }
    for (int i = 0; i < plan.phases().size(); i++) {
      BuildPhase phase = plan.phases().get(i);
      long phaseEnv = envBytes(phase.env(), where, "phases[" + i + "].env");
      for (int j = 0; j < phase.steps().size(); j++) {
        BuildStep s = phase.steps().get(j);
        String at = "phases[" + i + "].steps[" + j + "] (" + phase.name() + "/" + s.name() + ")";
        if (s.configureFlags().size() > TextBounds.STEP_FLAGS) {
          throw Bq2Exception.badInput(where + ": field " + at + ".configure_flags: " + s.configureFlags().size()
              + " flags, more than the " + TextBounds.STEP_FLAGS + " a step may have; a command line that long cannot be run");
        }
        long bytes = phaseEnv + envBytes(s.env(), where, at + ".env");
        for (int k = 0; k < s.configureFlags().size(); k++) {
          int n = s.configureFlags().get(k).getBytes(StandardCharsets.UTF_8).length;
          if (n > TextBounds.ARG) {
            throw Bq2Exception.badInput(where + ": field " + at + ".configure_flags[" + k + "]: " + n
                + " bytes, more than one argument may hold (" + TextBounds.ARG + "); shorten it");
          }
          bytes += n + 1;
        }
        if (bytes > TextBounds.STEP_ARGV_BYTES) {
          throw Bq2Exception.badInput(where + ": field " + at + ": configure_flags and env take " + bytes
              + " bytes, more than the " + TextBounds.STEP_ARGV_BYTES + " a command line and environment may use; shorten them");
        }
      }
    }
    return plan;
  }

  private static long envBytes(Map<String, String> env, String where, String at) {
    long total = 0;
    for (Map.Entry<String, String> e : env.entrySet()) {
      int n = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8).length;
      if (n > TextBounds.ARG) {
        throw Bq2Exception.badInput(where + ": field " + at + "." + e.getKey() + ": " + n
            + " bytes, more than one environment string may hold (" + TextBounds.ARG + "); shorten it");
      }
      total += n + 1;
    }
    return total;
  }

  private static String positions(String prefix, List<Integer> at) {
    List<String> s = new ArrayList<>();
    for (int i : at) s.add(prefix + "[" + i + "]");
    return String.join(", ", s);
  }
}
