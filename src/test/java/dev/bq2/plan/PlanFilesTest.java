package dev.bq2.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanFilesTest {
  @TempDir Path dir;

  static final String PLAN = """
      {
        "format_version": 2,
        "phases": [
          {
            "name": "p1", "description": "d", "namespace": "host", "install_prefix": "/usr",
            "env": {"A": "1"},
            "steps": [
              {"name": "a", "strategy": "shell", "configure_flags": [], "patches": [], "env": {}, "clean_build": false, "content": "true"},
              {"name": "b", "strategy": "shell", "configure_flags": ["--x"], "patches": [], "env": {"CFLAGS": "-O2"}, "clean_build": false}
            ]
          }
        ]
      }
      """;

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void roundTripKeepsKeyOrderAndOmitsNulls() throws Exception {
    BuildPlan plan = PlanFiles.readPlan(write("plan.json", PLAN));
    String out = Json.pretty(plan);
    assertTrue(out.indexOf("\"format_version\"") < out.indexOf("\"phases\""));
    assertTrue(out.indexOf("\"install_prefix\"") < out.indexOf("\"env\""));
    assertFalse(out.contains("null"), out);
    // the existing tool's pretty JSON: `"key": value`, 2-space indent, empty collections as [] / {}
    assertTrue(out.contains("\n          \"configure_flags\": [\n            \"--x\"\n          ],"), out);
    assertTrue(out.contains("\"patches\": [],") && out.contains("\"env\": {},"), out);
    assertEquals(plan, PlanFiles.parsePlan(dir.resolve("x"), out));
  }

  @Test
  void nullPhasesNameTheFieldInJsonTerms() throws Exception {
    Path p = write("plan.json", "{\"format_version\": 2, \"phases\": null}");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(p));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("field phases: expected an array, got null"), e.getMessage());
    Path q = write("plan2.json", "{\"format_version\": 2, \"phases\": [null]}");
    e = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(q));
    assertTrue(e.getMessage().contains("field phases[0]: expected an object, got null"), e.getMessage());
  }

  @Test
  void missingRequiredKeyNamesFileLineAndField() throws Exception {
    Path p = write("plan.json", PLAN.replace("\"clean_build\": false, \"content\": \"true\"", "\"content\": \"true\""));
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(p));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith(p + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("phases[0].steps[0]"), e.getMessage());
    assertTrue(e.getMessage().contains("clean_build"), e.getMessage());
  }

  @Test
  void malformedJsonNamesLineAndColumn() throws Exception {
    Path p = write("plan.json", "{\n  \"format_version\": 2,\n  \"phases\": [,]\n}\n");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(p));
    assertTrue(e.getMessage().startsWith(p + ":3:"), e.getMessage());
  }

  @Test
  void legacyAndWrongVersionRefused() throws Exception {
    Bq2Exception legacy = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(write("l.json", "  [ ]")));
    assertTrue(legacy.getMessage().contains("Legacy build plan format is not supported"));
    Bq2Exception v = assertThrows(Bq2Exception.class,
        () -> PlanFiles.readPlan(write("v.json", PLAN.replace("\"format_version\": 2", "\"format_version\": 3"))));
    assertTrue(v.getMessage().contains("Unsupported build plan format version 3 (expected 2)"), v.getMessage());
  }

  @Test
  void overridesMergeAsTheExistingTool() throws Exception {
    BuildPlan plan = PlanFiles.readPlan(write("plan.json", PLAN));
    Path op = write("o.json", """
        {"phases": {"p1": {"env": {"B": "2"}, "packages": ["b", "a"],
          "steps": {"b": {"configure_flags_add": ["--y"], "env": {"LDFLAGS": "-lm"}}}}}}
        """);
    BuildPlan r = OverridesApplier.apply(plan, PlanFiles.readOverrides(op), op);
    BuildPhase p = r.phases().get(0);
    assertEquals(Map.of("A", "1", "B", "2"), p.env());
    assertEquals(List.of("a", "b"), p.stepNames());
    assertEquals(List.of("--x", "--y"), p.steps().get(1).configureFlags());
    assertEquals(Map.of("CFLAGS", "-O2", "LDFLAGS", "-lm"), p.steps().get(1).env());
  }

  @Test
  void unknownNamesInOverridesAreRefusedWithKnownNames() throws Exception {
    BuildPlan plan = PlanFiles.readPlan(write("plan.json", PLAN));
    Path op = write("o.json", "{\"phases\": {\"p1\": {\"steps\": {\"zz\": {}}}}}");
    Bq2Exception e = assertThrows(Bq2Exception.class,
        () -> OverridesApplier.apply(plan, PlanFiles.readOverrides(op), op));
    assertTrue(e.getMessage().contains("zz") && e.getMessage().contains("known steps: a, b"), e.getMessage());
    Path op2 = write("o2.json", "{\"phases\": {\"nope\": {}}}");
    Bq2Exception e2 = assertThrows(Bq2Exception.class,
        () -> OverridesApplier.apply(plan, PlanFiles.readOverrides(op2), op2));
    assertTrue(e2.getMessage().contains("Unknown build phases in overrides: nope (closest existing phase: p1); known phases: p1"), e2.getMessage());
    Path op3 = write("o3.json", "{\"phases\": {\"p1\": {\"packages\": [\"q\"]}}}");
    Bq2Exception e3 = assertThrows(Bq2Exception.class,
        () -> OverridesApplier.apply(plan, PlanFiles.readOverrides(op3), op3));
    assertTrue(e3.getMessage().contains("Unknown package(s) q"), e3.getMessage());
  }

  @Test
  void stepOverrideWritesNoEmptyFields() {
    String out = Json.line(new Overrides(Map.of("p", PhaseOverride.empty().withSteps(Map.of("s", StepOverride.empty())))));
    assertEquals("{\"phases\":{\"p\":{\"steps\":{\"s\":{}}}}}", out);
  }

  @Test
  void wrongJsonTypesAreNamedInJsonTermsNotJavaTypes() throws Exception {
    Path a = write("a.json", "{\"phases\": {\"p1\": {\"steps\": {\"b\": {\"configure_flags_add\": \"--x\"}}}}}");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> PlanFiles.readOverrides(a));
    assertTrue(e.getMessage().startsWith(a + ":1:"), e.getMessage());
    assertTrue(e.getMessage().contains("field phases.p1.steps.b.configure_flags_add: expected an array, got a string"), e.getMessage());
    Path b = write("b.json", "{\"phases\": {\"p1\": {\"steps\": {\"b\": {\"clean_build\": \"yes\", \"env\": []}}}}}");
    Bq2Exception e2 = assertThrows(Bq2Exception.class, () -> PlanFiles.readOverrides(b));
    assertTrue(e2.getMessage().contains("clean_build: expected true or false, got a string"), e2.getMessage());
    assertFalse(e2.getMessage().contains("java."), e2.getMessage());
  }

  @Test
  void nullForARequiredCollectionIsRefusedAsTheExistingToolDoes() throws Exception {
    Path p = write("plan.json", PLAN.replace("\"env\": {\"A\": \"1\"}", "\"env\": null"));
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(p));
    assertTrue(e.getMessage().contains("field phases[0].env: expected an object, got null"), e.getMessage());
    Path q = write("plan2.json", PLAN.replace("\"configure_flags\": [\"--x\"]", "\"configure_flags\": null"));
    Bq2Exception e2 = assertThrows(Bq2Exception.class, () -> PlanFiles.readPlan(q));
    assertTrue(e2.getMessage().contains("field phases[0].steps[1].configure_flags: expected an array, got null"), e2.getMessage());
  }
}
