package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.json.AtomicFile;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.plan.StepOverride;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bq2 overrides diff|show|history|revert` as child processes on real files. */
class OverridesCommandsTest {
  @TempDir Path tmp;

  @Test
  void showHistoryAndRevertTellWhereEachEntryCameFrom() throws Exception {
    Fixture f = new Fixture(tmp);
    f.applyFixes();
    String rootfs = f.rootfs.toString();
    Fixture.Exec show = f.bq2("overrides", "show", "--rootfs", rootfs);
    assertEquals(0, show.exit(), show.out());
    assertTrue(show.out().contains("p/greet: GREETING=\"hello\""), show.out());
    assertTrue(show.out().contains("from #1 ") && show.out().contains("by rules (pending)"), show.out());
    assertTrue(show.out().contains("why: greet needs GREETING=hello"), show.out());
    assertTrue(show.out().contains("from #2 ") && show.out().contains("by codex"), show.out());

    Fixture.Exec revert = f.bq2("overrides", "revert", "1", "--rootfs", rootfs);
    assertEquals(0, revert.exit(), revert.out());
    var o = PlanFiles.readOverrides(f.layout.overrides());
    StepOverride greet = o.phases().get("p").steps() == null ? null : o.phases().get("p").steps().get("greet");
    assertTrue(greet == null, "the greet entry is gone: " + o);
    assertEquals(1, o.phases().get("p").steps().get("patched").patchesAdd().size(), "the other entry stays");

    Fixture.Exec history = f.bq2("overrides", "history", "--rootfs", rootfs);
    assertTrue(history.out().lines().anyMatch(l -> l.startsWith("  1 ") && l.endsWith("REVERTED")), history.out());
    assertTrue(history.out().lines().anyMatch(l -> l.startsWith("  2 ") && !l.endsWith("REVERTED")), history.out());

    Fixture.Exec again = f.bq2("overrides", "revert", "1", "--rootfs", rootfs);
    assertEquals(0, again.exit());
    assertTrue(again.out().contains("already reverted"), again.out());
    Fixture.Exec bad = f.bq2("overrides", "revert", "9", "--rootfs", rootfs);
    assertEquals(2, bad.exit());
    assertTrue(bad.out().contains("no applied delta 9 (there are 2)"), bad.out());

    // a hand edit is told apart from the history's deltas
    String text = Files.readString(f.layout.overrides()).replace("\"patches_add\"", "\"clean_build\" : true, \"patches_add\"");
    Files.writeString(f.layout.overrides(), text);
    show = f.bq2("overrides", "show", "--rootfs", rootfs);
    assertTrue(show.out().contains("phase p differs from what its deltas"), show.out());
  }

  @Test
  void diffRoundTripAndRefusalThroughTheCli() throws Exception {
    Fixture f = new Fixture(tmp);
    f.applyFixes();
    BuildPlan base = PlanFiles.readPlan(f.layout.plan());
    BuildPlan target = OverridesApplier.apply(base, PlanFiles.readOverrides(f.layout.overrides()), null);
    Path targetFile = tmp.resolve("target.json");
    AtomicFile.writeJson(targetFile, target);
    Path outFile = tmp.resolve("diff.json");
    Fixture.Exec e = f.bq2("overrides", "diff", "--base", f.layout.plan().toString(), "--target", targetFile.toString(),
        "--output", outFile.toString());
    assertEquals(0, e.exit(), e.out());
    assertEquals(List.of(), JsonDiff.of(target, OverridesApplier.apply(base, PlanFiles.readOverrides(outFile), outFile)));
    assertEquals(Map.of("GREETING", "hello"), PlanFiles.readOverrides(outFile).phases().get("p").steps().get("greet").env());

    AtomicFile.writeJson(targetFile, new BuildPlan(2, List.of()));
    e = f.bq2("overrides", "diff", "--base", f.layout.plan().toString(), "--target", targetFile.toString());
    assertEquals(2, e.exit(), e.out());
    assertTrue(e.out().contains("Target plan removes phase(s): p"), e.out());
  }
}
