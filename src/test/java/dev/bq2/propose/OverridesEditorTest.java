package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.FailureClass;
import dev.bq2.json.Json;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverridesEditorTest {
  @TempDir Path dir;

  static final String EXISTING = """
      {
        "phases": {
          "p": {
            "env": {"PATH": "/opt/sysroot/bin:/bin"},
            "steps": {
              "zlib": {"env": {"CFLAGS": "-O2"}, "configure_flags_add": ["--static"], "patches_add": []}
            }
          },
          "other": {"install_prefix": "/opt"}
        }
      }
      """;

  Diagnosis diag = new Diagnosis(Path.of("/r/report.json"), "p", "zlib", FailureClass.LINK, "e", 1, null, List.of(), "sig1");

  @Test
  void applyOutcomeRevertRoundTripRestoresTheFileExactly() throws Exception {
    Path ov = dir.resolve("sysroot-build-overrides.json");
    Path hist = dir.resolve("sysroot-build-overrides.history.jsonl");
    Files.writeString(ov, EXISTING);
    PlanFiles.writeOverrides(ov, PlanFiles.readOverrides(ov)); // canonical form
    String original = Files.readString(ov);
    OverridesEditor ed = new OverridesEditor(ov, hist);
    Proposal p = new Proposal("p", "zlib", List.of("--static", "--disable-werror"), Map.of("CFLAGS", "-O2 -fcommon"),
        List.of(), null, true, "gcc10 (rule x)", false);
    HistoryEntry h = ed.apply(p, diag, "rules");

    Overrides after = PlanFiles.readOverrides(ov);
    var zlib = after.phases().get("p").steps().get("zlib");
    assertEquals(List.of("--static", "--disable-werror"), zlib.configureFlagsAdd(), "appended without duplicates");
    assertEquals(Map.of("CFLAGS", "-O2 -fcommon"), zlib.env());
    assertEquals(Boolean.TRUE, zlib.cleanBuild());
    assertEquals("/opt", after.phases().get("other").installPrefix(), "other phases untouched");
    assertFalse(Files.list(dir).anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp files left");

    ed.recordOutcome(h.id(), "same_failure");
    List<TriedDelta> tried = TriedDeltas.forSignature(hist, "sig1");
    assertEquals(1, tried.size());
    assertEquals("same_failure", tried.get(0).outcome());
    assertEquals(p, tried.get(0).delta());
    assertEquals(List.of(), TriedDeltas.forSignature(hist, "other-sig"));

    ed.revert(h.id());
    assertEquals(original, Files.readString(ov), "revert restores the previous entry exactly");
    ed.revert(h.id());
    assertEquals(original, Files.readString(ov), "a second revert is a no-op");
    List<String> events = TriedDeltas.read(hist).stream().map(HistoryEntry::event).toList();
    assertEquals(List.of("applied", "outcome", "reverted"), events);
    for (String line : Files.readAllLines(hist)) Json.MAPPER.readTree(line); // every line is JSON
  }

  @Test
  void revertAfterAnUnrelatedEditTakesBackOnlyTheDelta() throws Exception {
    Path ov = dir.resolve("o.json");
    Path hist = dir.resolve("o.history.jsonl");
    OverridesEditor ed = new OverridesEditor(ov, hist);
    HistoryEntry first = ed.apply(new Proposal("p", "zlib", List.of("--disable-werror"), Map.of("CFLAGS", "-fcommon"),
        List.of(), null, null, "r", false), diag, "rules");
    ed.apply(new Proposal("p", "zlib", List.of(), Map.of("MAKEINFO", "true"), List.of(), null, null, "r2", false), diag, "rules");
    ed.revert(first.id());
    var zlib = PlanFiles.readOverrides(ov).phases().get("p").steps().get("zlib");
    assertEquals(List.of(), zlib.configureFlagsAdd());
    assertEquals(Map.of("MAKEINFO", "true"), zlib.env(), "the later delta survives");
  }

  @Test
  void phaseWideEnvAndFromNothingRevertToNoFile() throws Exception {
    Path ov = dir.resolve("o.json");
    Path hist = dir.resolve("o.history.jsonl");
    OverridesEditor ed = new OverridesEditor(ov, hist);
    HistoryEntry h = ed.apply(new Proposal("p", null, List.of(), Map.of("MAKEINFO", "true"), List.of(), null, null, "r", false), diag, "rules");
    assertEquals(Map.of("MAKEINFO", "true"), PlanFiles.readOverrides(ov).phases().get("p").env());
    assertNull(h.before());
    ed.revert(h.id());
    assertTrue(PlanFiles.readOverrides(ov).isEmpty());
  }

  @Test
  void badHistoryAndUnknownIdsAreClearErrors() throws Exception {
    Path ov = dir.resolve("o.json");
    Path hist = dir.resolve("o.history.jsonl");
    Files.writeString(hist, "{\"id\":\"a\",\"event\":\"applied\"}\nnot json\n{\"id\":\"b\",\"event\":\"applied\"}\n");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> TriedDeltas.read(hist));
    assertTrue(e.getMessage().startsWith(hist + ":2: not a history entry"), e.getMessage());
    Files.writeString(hist, "{\"id\":\"a\",\"event\":\"applied\"}\n{\"id\":\"torn");
    assertEquals(1, TriedDeltas.read(hist).size(), "a torn last line is skipped");
    Bq2Exception unknown = assertThrows(Bq2Exception.class, () -> new OverridesEditor(ov, hist).revert("nope"));
    assertEquals(2, unknown.exitCode());
    assertThrows(Bq2Exception.class, () -> new OverridesEditor(ov, hist).recordOutcome("a", "maybe"));
  }
}
