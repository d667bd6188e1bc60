package dev.bq2.cli;

import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PlanFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Tab-completion candidates read from the plan of the shell's rootfs (picocli
 * `completionCandidates`, evaluated at each TAB). The `bq2` shell's factory hands in where the
 * plan is; made by picocli's default factory (the bash completion script written at build time)
 * they are empty, so no build machine's plan is baked into the script. Never fails: no plan, an
 * unreadable or a bad one give no candidates (the commands themselves report a bad plan).
 */
abstract class PlanNames implements Iterable<String> {
  private final Supplier<Path> plan;
  private final Function<BuildPlan, Set<String>> names;
  private Path cachedFile;
  private FileTime cachedTime;
  private long cachedSize = -1;
  private List<String> cached = List.of();

  PlanNames(Supplier<Path> plan, Function<BuildPlan, Set<String>> names) {
    this.plan = plan;
    this.names = names;
  }

  @Override
  public synchronized Iterator<String> iterator() {
    return names().iterator();
  }

  /** The names, re-read only when the plan file changed (a TAB must stay instant). */
  private List<String> names() {
    try {
      Path file = plan == null ? null : plan.get();
      if (file == null || !Files.isRegularFile(file)) return List.of();
      FileTime time = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (!file.equals(cachedFile) || !time.equals(cachedTime) || size != cachedSize) {
        cached = List.copyOf(names.apply(PlanFiles.readPlan(file)));
        cachedFile = file;
        cachedTime = time;
        cachedSize = size;
      }
      return cached;
    } catch (Exception e) {
      return List.of();
    }
  }

  /** The plan's phase names, in plan order. */
  static final class Phases extends PlanNames {
    Phases() {
      this(null);
    }

    Phases(Supplier<Path> plan) {
      super(plan, p -> new LinkedHashSet<>(p.phaseNames()));
    }
  }

  /** The plan's step names (across phases, each once), in plan order. */
  static final class Steps extends PlanNames {
    Steps() {
      this(null);
    }

    Steps(Supplier<Path> plan) {
      super(plan, p -> {
        Set<String> out = new LinkedHashSet<>();
        for (BuildPhase phase : p.phases()) {
          for (BuildStep step : phase.steps()) out.add(step.name());
        }
        return out;
      });
    }
  }
}
