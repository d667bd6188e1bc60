package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.OwnCommand;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import dev.bq2.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bq2 demo --back-annotate`: the whole round (autopilot, back-annotation, rebuild from scratch) in a child process. */
class DemoBackAnnotateTest {
  @TempDir Path tmp;

  @Test
  void demoRoundEndsWithOneCommitARegeneratedPlanAndAReproducedBuild() throws Exception {
    Path dir = tmp.resolve("demo");
    List<String> argv = new ArrayList<>(OwnCommand.argv("demo"));
    argv.addAll(List.of("--dir", dir.toString(), "--jobs", "2", "--back-annotate"));
    Fixture.Exec e = Fixture.exec(argv, tmp, tmp.resolve("demo.log"));
    assertEquals(0, e.exit(), e.out());
    Path repo = dir.resolve("repo");
    RootfsLayout layout = RootfsLayout.of(dir.resolve("rootfs"));

    Fixture.Exec log = Fixture.exec(List.of("git", "-C", repo.toString(), "log", "--format=%s"), tmp, tmp.resolve("git.log"));
    List<String> subjects = log.out().lines().toList();
    assertEquals(2, subjects.size(), "the demo's first commit and exactly one back-annotation commit: " + subjects);
    assertTrue(subjects.get(0).startsWith("Build ") && subjects.get(0).contains("core-libs, userland"), subjects.get(0));

    Path archive;
    try (Stream<Path> s = Files.walk(repo.resolve("session"))) {
      archive = s.filter(p -> p.getFileName().toString().equals("back-annotate")).findFirst().orElseThrow();
    }
    BuildPlan old = PlanFiles.readPlan(archive.resolve("sysroot-build-plan.json"));
    Path ovFile = archive.resolve("sysroot-build-overrides.json");
    BuildPlan now = PlanFiles.readPlan(layout.plan());
    assertEquals(List.of(), JsonDiff.of(OverridesApplier.apply(old, PlanFiles.readOverrides(ovFile), ovFile), now),
        "regenerated plan == old plan + overrides");
    assertFalse(PlanFiles.readOverrides(ovFile).isEmpty());
    assertFalse(Files.exists(layout.overrides()), "no overrides left");
    assertFalse(Files.exists(layout.overridesHistory()));

    // the state now is the from-scratch rerun's own: new id, everything complete, no failure
    BuildState archived = new StateStore(archive.resolve("sysroot-build-state.json")).load();
    BuildState fresh = new StateStore(layout.state()).load();
    assertFalse(fresh.rootfsId().equals(archived.rootfsId()));
    assertEquals(null, fresh.progress().lastFailure());
    for (var phase : now.phases()) {
      assertEquals(phase.stepNames(), fresh.progress().completedSteps().get(phase.name()), phase.name());
    }
    BackAnnotator.Record rec = Json.read(archive.resolve("back-annotate.json"), BackAnnotator.Record.class, "");
    assertEquals(Boolean.TRUE, rec.reproduced());
    assertTrue(e.out().contains("back-annotate: reproduced: phase(s) core-libs, userland complete from scratch"), e.out());
  }
}
