package dev.bq2.json;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.Bq2Exception;
import dev.bq2.InProcessCli;
import dev.bq2.assistant.ProposalSchema;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import dev.bq2.state.BuildState;
import dev.bq2.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 items 4 and 10: duplicate keys, coerced scalars, invalid UTF-8 and null files or
 * values are refused with one line (exit 2) naming the place, as the existing tool refuses them.
 */
class StrictJsonTest {
  @TempDir Path dir;

  static final String STEP = "{\"name\": \"a\", \"strategy\": \"shell\", \"configure_flags\": [], \"patches\": [],"
      + " \"env\": {}, \"clean_build\": false, \"content\": \"true\"}";

  static String plan(String step) {
    return "{\"format_version\": 2, \"phases\": [{\"name\": \"p\", \"description\": \"d\", \"namespace\": \"host\","
        + " \"install_prefix\": \"/usr\", \"env\": {}, \"steps\": [" + step + "]}]}";
  }

  Path rootfs(String planText) throws Exception {
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("var/lib"));
    Files.writeString(root.resolve("var/lib/sysroot-build-plan.json"), planText);
    return root;
  }

  /** Status on that rootfs: exit 2, one line; returns the line. */
  static String refusedByStatus(Path root) {
    InProcessCli.Result r = InProcessCli.run("sysroot-status", "--rootfs", root.toString());
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    assertFalse(r.err().contains("Exception"), r.toString());
    return r.err().strip();
  }

  @Test
  void duplicateKeysAreRefusedNamingTheKeyAndLine() throws Exception {
    Path root = rootfs(plan(STEP.replace("\"clean_build\": false", "\"clean_build\": false,\n \"clean_build\": true")));
    String err = refusedByStatus(root);
    assertTrue(err.contains(":2:") && err.contains("key \"clean_build\" given twice"), err);
  }

  @Test
  void coercedScalarsAreRefusedAsTheExistingToolRefusesThem() throws Exception {
    // the existing tool (docs/formats.md#upstream-formats): clean_build is a bool, env values are strings, configure_flags strings.
    for (String bad : new String[] {
        STEP.replace("\"clean_build\": false", "\"clean_build\": \"true\""),
        STEP.replace("\"env\": {}", "\"env\": {\"JOBS\": 4}"),
        STEP.replace("\"env\": {}", "\"env\": {\"FAST\": true}"),
        STEP.replace("\"configure_flags\": []", "\"configure_flags\": [1]"),
        STEP.replace("\"name\": \"a\"", "\"name\": 7")}) {
      String err = refusedByStatus(rootfs(plan(bad)));
      assertTrue(err.contains("field phases[0].steps[0].") && err.contains("expected "), err);
    }
    String version = refusedByStatus(rootfs(plan(STEP).replace("\"format_version\": 2", "\"format_version\": \"2\"")));
    assertTrue(version.contains("sysroot-build-plan.json:1:20: field format_version: expected an integer, got a string"), version);
    String err = refusedByStatus(rootfs(plan(STEP.replace("\"clean_build\": false", "\"clean_build\": \"true\""))));
    assertTrue(err.contains("field phases[0].steps[0].clean_build: expected true or false, got a string"), err);
    err = refusedByStatus(rootfs(plan(STEP.replace("\"env\": {}", "\"env\": {\"JOBS\": 4}"))));
    assertTrue(err.contains("expected a string, got a number"), err);
  }

  /**
   * Issue 11 item 5: the same refusals in the overrides and the state, each naming the file,
   * line:column and field (the existing tool's JSON::Serializable refuses them too).
   */
  @Test
  void overridesAndStateRefuseCoercedScalarsNamingFileLineColumnAndField() throws Exception {
    Path root = rootfs(plan(STEP));
    Path overrides = root.resolve("var/lib/sysroot-build-overrides.json");
    // {text, the bad value (its position is the reported line:column), field, problem}
    String[][] badOverrides = {
        {"{\"phases\": {\"p\": {\"steps\": {\"a\": {\"env\": {\"JOBS\": 4}}}}}}", "4", "phases.p.steps.a.env.JOBS", "expected a string, got a number"},
        {"{\"phases\": {\"p\": {\"env\": {\"FAST\": true}}}}", "true", "phases.p.env.FAST", "expected a string, got a boolean"},
        {"{\"phases\": {\"p\": {\"steps\": {\"a\": {\"configure_flags_add\": [2]}}}}}", "2", "phases.p.steps.a.configure_flags_add[0]", "expected a string, got a number"},
        {"{\"phases\": {\"p\": {\"destdir_clear\": 1}}}", "1", "phases.p.destdir_clear", "expected true or false, got a number"},
        {"{\"phases\": {\"p\": {\"steps\": {\"a\": {\"clean_build\": \"true\"}}}}}", "\"true\"", "phases.p.steps.a.clean_build", "expected true or false, got a string"},
    };
    for (String[] b : badOverrides) {
      Files.writeString(overrides, b[0]);
      String err = refusedByStatus(root);
      String at = ":1:" + (b[0].indexOf(b[1]) + 1) + ":";
      assertTrue(err.startsWith("bq2: " + overrides + at + " field " + b[2] + ": " + b[3]), b[0] + " -> " + err);
    }
    Files.writeString(overrides, "{\n  \"phases\": {\"p\": {\"steps\": {\"a\": {\n    \"clean_build\": \"true\"}}}}}");
    String multiLine = refusedByStatus(root);
    assertTrue(multiLine.startsWith("bq2: " + overrides + ":3:20: field phases.p.steps.a.clean_build: "), multiLine);
    Files.delete(overrides);

    Path state = root.resolve("var/lib/sysroot-build-state.json");
    String good = "{\"format_version\": 1, \"rootfs_id\": \"00\", \"created_at\": \"x\","
        + " \"progress\": {\"completed_steps\": {\"p\": [\"a\"]}}}";
    Files.writeString(state, good);
    assertEquals(0, InProcessCli.run("sysroot-status", "--rootfs", root.toString()).exit());
    String[][] badStates = {
        {good.replace("\"format_version\": 1", "\"format_version\": \"1\""), "field format_version: expected an integer, got a string"},
        {good.replace("\"rootfs_id\": \"00\"", "\"rootfs_id\": 0"), "field rootfs_id: expected a string, got a number"},
        {good.replace("[\"a\"]", "[1]"), "field progress.completed_steps.p[0]: expected a string, got a number"},
        {good.replace("\"format_version\": 1", "\"format_version\": 1.0"), "field format_version: expected an integer, got a decimal number"},
    };
    for (String[] b : badStates) {
      Files.writeString(state, b[0]);
      String err = refusedByStatus(root);
      assertTrue(err.matches("bq2: " + java.util.regex.Pattern.quote(state.toString()) + ":1:\\d+: .*"), err);
      assertTrue(err.contains(b[1]), b[0] + " -> " + err);
    }
  }

  @Test
  void invalidUtf8NamesTheByteOffset() throws Exception {
    Path root = rootfs(plan(STEP));
    Path p = root.resolve("var/lib/sysroot-build-plan.json");
    byte[] good = Files.readAllBytes(p);
    int at = new String(good, StandardCharsets.UTF_8).indexOf("\"d\"") + 1;
    good[at] = (byte) 0xC3; // a lead byte followed by '"', not a continuation byte
    Files.write(p, good);
    String err = refusedByStatus(root);
    assertTrue(err.contains("invalid UTF-8 at byte offset " + at + " (byte 0xc3)"), err);
  }

  @Test
  void nullFilesAndNullValuesAreOneLineNotANullPointerException() throws Exception {
    Path root = rootfs(plan(STEP));
    Path overrides = root.resolve("var/lib/sysroot-build-overrides.json");
    Path state = root.resolve("var/lib/sysroot-build-state.json");
    Files.writeString(overrides, "null\n");
    assertTrue(refusedByStatus(root).contains(overrides + ":1:1: expected an object, got null"));
    Files.writeString(overrides, "{\"phases\": {\"p\": {\"env\": {\"X\": null}}}}");
    String err = refusedByStatus(root);
    assertTrue(err.contains(overrides.toString()) && err.contains("field phases.p.env") && err.contains("got null"), err);
    Files.writeString(overrides, "{\"phases\": {\"p\": null}}");
    assertTrue(refusedByStatus(root).contains("field phases"));
    Files.delete(overrides);

    Files.writeString(state, "null");
    assertTrue(refusedByStatus(root).contains(state + ":1:1: expected an object, got null"));
    Files.writeString(state, "{\"rootfs_id\": \"00\", \"created_at\": \"x\", \"progress\": {\"completed_steps\": {\"p\": null}}}");
    assertTrue(refusedByStatus(root).contains(state.toString()));
    Files.writeString(state, "{\"rootfs_id\": \"00\", \"created_at\": \"x\", \"progress\": {\"completed_steps\": {\"p\": [null]}}}");
    String e2 = refusedByStatus(root);
    assertTrue(e2.contains("completed_steps.p") && e2.contains("null"), e2);
    Files.delete(state);

    Files.writeString(root.resolve("var/lib/sysroot-build-plan.json"), plan(STEP.replace("\"env\": {}", "\"env\": {\"X\": null}")));
    String e3 = refusedByStatus(root);
    assertTrue(e3.contains("field phases[0].steps[0].env") && e3.contains("got null"), e3);
  }

  @Test
  void assistantAnswersWithADuplicateKeyAreRefused() {
    String answer = "{\"phase\":\"p\",\"step\":\"a\",\"configure_flags_add\":[],\"env\":[],\"patches_add\":[],"
        + "\"build_dir\":null,\"clean_build\":true,\"rationale\":\"r\",\"escalate\":true,\"escalate\":false}";
    var e = assertThrows(ProposalSchema.InvalidProposalException.class, () -> ProposalSchema.parse(answer));
    assertTrue(e.getMessage().contains("given twice") && e.getMessage().contains("escalate"), e.getMessage());
    var coerced = assertThrows(ProposalSchema.InvalidProposalException.class,
        () -> ProposalSchema.parse(answer.replace(",\"escalate\":false", "").replace("\"escalate\":true", "\"escalate\":\"false\"")));
    assertTrue(coerced.getMessage().contains("$.escalate: expected boolean, got string"), coerced.getMessage());
    var extra = assertThrows(ProposalSchema.InvalidProposalException.class,
        () -> ProposalSchema.parse(answer.replace(",\"escalate\":false", ",\"run\":\"rm -rf /\"")));
    assertTrue(extra.getMessage().contains("$: unexpected key \"run\""), extra.getMessage());
  }

  /** What the existing tool writes still parses (its real files, kept in src/test/resources/upstream). */
  @Test
  void upstreamFixturesStillParse() throws Exception {
    Path fx = upstreamFixtures();
    BuildPlan plan = null;
    for (String name : new String[] {"plan-x86_64.json", "plan-aarch64.json", "plan-x86_64-alpine.json"}) {
      plan = PlanFiles.readPlan(fx.resolve(name));
      assertTrue(plan.phases().size() >= 5, name);
    }
    Overrides o = PlanFiles.readOverrides(fx.resolve("overrides-all-fields.json"));
    assertFalse(o.isEmpty());
    for (String name : new String[] {"state-crystal-midfailure.json", "state-crystal-final.json"}) {
      BuildState s = new StateStore(fx.resolve(name)).load();
      assertNotNull(s.rootfsId(), name);
    }
    assertNotNull(dev.bq2.report.ReportFiles.read(fx.resolve("report-crystal.json")));
  }

  static Path upstreamFixtures() throws Exception {
    return Path.of(StrictJsonTest.class.getResource("/upstream/plan-x86_64.json").toURI()).getParent();
  }

  @Test
  void emptyAndBlankFilesStayOneLineErrors() throws Exception {
    Path p = dir.resolve("x.json");
    Files.writeString(p, "");
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> Json.read(p, BuildState.class, "fix it"));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("empty file"));
  }
}
