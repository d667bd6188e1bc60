package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PlanFiles;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `bq2 propose` / `bq2 diagnose` end to end on a real gcc failure in a rootfs layout. */
class ProposeCommandTest {
  @TempDir Path dir;
  RootfsLayout layout;
  Path report;
  String out;
  String err;

  @BeforeEach
  void realLinkFailure() throws Exception {
    layout = RootfsLayout.of(dir.resolve("rootfs"));
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.c"), "int counter;\nint main(void) { return counter; }\n");
    Files.writeString(src.resolve("b.c"), "int counter;\nvoid f(void) { counter++; }\n");
    BuildStep step = new BuildStep("pkg", "shell", src.toString(), List.of(), List.of(), null, null, null,
        Map.of(), false, null, null, null, "gcc $CFLAGS a.c b.c -o prog", null);
    BuildPhase phase = new BuildPhase("p", "d", "host", "/usr", null, Map.of("CFLAGS", "-O1"), List.of(step));
    Files.createDirectories(layout.reportDir());
    Files.writeString(layout.plan(), Json.pretty(new BuildPlan(2, List.of(phase))));
    Path log = layout.reportDir().resolve(ReportFiles.logName(Instant.now(), "p", "pkg"));
    List<String> argv = List.of("/bin/sh", "-e", "-c", step.content());
    ProcessBuilder pb = new ProcessBuilder(argv).directory(src.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("CFLAGS", "-O1");
    int exit = pb.start().waitFor();
    assertNotEquals(0, exit);
    report = ReportFiles.write(layout.reportDir(), Instant.now(), new FailureReport(1, "x",
        new FailureReport.ReportPhase("p", "host", "/usr", null, phase.env()),
        new FailureReport.ReportStep("pkg", "shell", src.toString(), null, null, Map.of(), phase.env(), List.of(), List.of()),
        argv, exit, log.toString(), "Command failed (" + exit + "): " + String.join(" ", argv), null, null, null));
  }

  int run(String... args) {
    CommandLine cl = Bq2.commandLine();
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    cl.setOut(new PrintWriter(o));
    cl.setErr(new PrintWriter(e));
    int code = cl.execute(args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  @Test
  void printsTheProposalWithoutApplying() throws Exception {
    assertEquals(0, run("propose", "--report", report.toString(), "--rootfs", layout.rootfs().toString(), "--assistant", "rules", "--json"), err);
    JsonNode j = Json.MAPPER.readTree(out);
    assertEquals("p", j.at("/proposal/phase").asText());
    assertEquals("pkg", j.at("/proposal/step").asText());
    assertEquals("-O1 -fcommon", j.at("/proposal/env/CFLAGS").asText());
    assertTrue(j.at("/proposal/build_dir").isNull(), "the proposal JSON keeps its null keys");
    assertEquals("gcc10-fno-common", j.get("rule").asText());
    assertTrue(j.get("applied").isNull());
    assertEquals("link", j.at("/diagnosis/failure_class").asText());
    assertFalse(Files.exists(layout.overrides()), "nothing applied");
  }

  @Test
  void applyWritesOverridesAndHistoryAndTheRebuildWorks() throws Exception {
    assertEquals(0, run("propose", "--report", report.toString(), "--rootfs", layout.rootfs().toString(), "--apply", "--json"), err);
    String id = Json.MAPPER.readTree(out).get("applied").asText();
    assertEquals("-O1 -fcommon", PlanFiles.readOverrides(layout.overrides()).phases().get("p").steps().get("pkg").env().get("CFLAGS"));
    assertTrue(Files.readString(layout.overridesHistory()).contains(id));
    // the step as the runner would now run it builds
    Path src = dir.resolve("src");
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-e", "-c", "gcc $CFLAGS a.c b.c -o prog").directory(src.toFile())
        .redirectErrorStream(true);
    pb.environment().put("CFLAGS", "-O1 -fcommon");
    assertEquals(0, pb.start().waitFor());
    // Asking again (issue 10 item 18): its fix is in force, so the answer is "rerun", exit 0, not
    // "no rule knows this" (exit 3, as before) nor a second, different fix.
    assertEquals(0, run("propose", "--report", report.toString(), "--rootfs", layout.rootfs().toString(), "--json"), err);
    JsonNode again = Json.MAPPER.readTree(out);
    assertTrue(again.get("proposal").isNull(), out);
    assertEquals(id, again.get("in_force").asText(), out);
    assertTrue(again.get("note").asText().contains("already in force"), out);

    // The same from a real `bq2 propose` process, in words, and --apply applies nothing more.
    dev.bq2.ChildJvm c = dev.bq2.ChildJvm.run(dir, dir.resolve("propose-again"), java.time.Duration.ofMinutes(2),
        "propose", "--report", report.toString(), "--rootfs", layout.rootfs().toString(), "--assistant", "rules", "--apply");
    String text = Files.readString(c.out);
    assertEquals(0, c.process.exitValue(), text + Files.readString(c.err));
    assertTrue(text.contains("the fix rules → CFLAGS=\"-O1 -fcommon\"") && text.contains("is already in force (applied at ")
        && text.contains("outcome pending); rerun the runner"), text);
    assertFalse(text.contains("no rule knows"), text);
    assertEquals(1, Files.readAllLines(layout.overridesHistory()).stream().filter(l -> l.contains("\"applied\"")).count(),
        "nothing applied twice");
  }

  @Test
  void userRulesComeFirstAndCanDisableDefaults() throws Exception {
    Path rules = dir.resolve("my-rules.json");
    Files.writeString(rules, """
        {"format_version": 1, "rules": [
          {"id": "gcc10-fno-common", "disabled": true},
          {"id": "my-link", "classes": ["link"], "match": "multiple definition of `(\\\\w+)'",
           "action": {"env_append": {"LDFLAGS": "-Wl,--allow-multiple-definition"}}, "rationale": "site policy for {1}"}
        ]}
        """);
    assertEquals(0, run("propose", "--report", report.toString(), "--rules", rules.toString(), "--json"), err);
    JsonNode j = Json.MAPPER.readTree(out);
    assertEquals("my-link", j.get("rule").asText());
    assertEquals("-Wl,--allow-multiple-definition", j.at("/proposal/env/LDFLAGS").asText());
    assertTrue(j.at("/proposal/rationale").asText().startsWith("site policy for counter"));
  }

  @Test
  void badRulesFileIsExit2NamingTheField() throws Exception {
    Path rules = dir.resolve("bad.json");
    Files.writeString(rules, "{\"format_version\": 1, \"rules\": [{\"id\": \"x\", \"match\": \"([\", \"action\": {\"env_set\": {\"A\": \"1\"}}, \"rationale\": \"r\"}]}");
    assertEquals(2, run("propose", "--report", report.toString(), "--rules", rules.toString()));
    assertTrue(err.contains(rules + ": field rules[0].match: bad regex"), err);
  }

  @Test
  void unknownFailureIsExit3WithNullProposal() throws Exception {
    Path log = layout.reportDir().resolve("odd.log");
    Files.writeString(log, "something went sideways\n");
    Path r = ReportFiles.write(layout.reportDir(), Instant.now(), new FailureReport(1, "x",
        new FailureReport.ReportPhase("p", "host", "/usr", null, Map.of()),
        new FailureReport.ReportStep("pkg", "shell", dir.toString(), null, null, Map.of(), Map.of(), List.of(), List.of()),
        List.of("/bin/false"), 1, log.toString(), "Command failed (1): /bin/false", null, null, null));
    assertEquals(3, run("propose", "--report", r.toString(), "--assistant", "rules", "--json"));
    JsonNode j = Json.MAPPER.readTree(out);
    assertTrue(j.get("proposal").isNull());
    assertEquals("no rule knows this failure", j.get("problems").get(0).asText());
    assertEquals(2, run("propose", "--report", r.toString(), "--apply"), "apply without an overrides file is bad usage");
  }

  @Test
  void diagnoseCommandPrintsClassAndSignature() throws Exception {
    assertEquals(0, run("diagnose", "--report", report.toString(), "--json"), err);
    JsonNode j = Json.MAPPER.readTree(out);
    assertEquals("link", j.get("failure_class").asText());
    assertEquals(64, j.get("signature").asText().length());
    assertEquals(2, run("diagnose", "--report", dir.resolve("missing.json").toString()));
    assertTrue(err.contains("missing.json: file not found"), err);
  }

  @Test
  void anAssistantCommandProposesWhenNoRuleKnowsTheFailure() throws Exception {
    Path log = layout.reportDir().resolve("odd.log");
    Files.writeString(log, "pkg.c:3:2: error: #error define BQ2_OK to build this package\n");
    Path r = ReportFiles.write(layout.reportDir(), Instant.now(), new FailureReport(1, "x",
        new FailureReport.ReportPhase("p", "host", "/usr", null, Map.of("CFLAGS", "-O1")),
        new FailureReport.ReportStep("pkg", "shell", dir.toString(), null, null, Map.of(), Map.of("CFLAGS", "-O1"),
            List.of(), List.of()),
        List.of("/bin/sh", "-e", "-c", "gcc $CFLAGS a.c b.c -o prog"), 1, log.toString(), "Command failed (1): make", null, null, null));
    Path prompt = dir.resolve("prompt.txt");
    Path script = dir.resolve("assistant.sh");
    Files.writeString(script, "#!/bin/sh\ncat > " + prompt + "\n"
        + "echo '{\"phase\":\"p\",\"step\":\"pkg\",\"configure_flags_add\":[],\"env\":{\"CFLAGS\":\"-O1 -DBQ2_OK\"},"
        + "\"patches_add\":[],\"build_dir\":null,\"clean_build\":null,\"rationale\":\"the package asks for BQ2_OK\",\"escalate\":false}'\n");
    script.toFile().setExecutable(true);
    assertEquals(0, run("propose", "--report", r.toString(), "--rootfs", layout.rootfs().toString(),
        "--assistant", "command", "--assistant-command", script.toString(), "--json"), err);
    JsonNode j = Json.MAPPER.readTree(out);
    assertEquals("command", j.get("proposer").asText());
    assertEquals("-O1 -DBQ2_OK", j.get("proposal").get("env").get("CFLAGS").asText());
    assertTrue(j.get("problems").isEmpty(), out);
    assertTrue(Files.readString(prompt).contains("#error define BQ2_OK"), "the prompt carries the decisive log line");
    assertFalse(Files.exists(layout.overrides()), "printed, not applied");
  }

  /** Issue 9 item 9: a report of a format we do not know is refused, not half-read. */
  @Test
  void aReportOfAnUnknownFormatVersionIsRefusedWithOneLine() throws Exception {
    Files.writeString(report, Files.readString(report).replaceFirst("\"format_version\" *: *1", "\"format_version\": 9"));
    assertEquals(2, run("diagnose", "--report", report.toString()), out + err);
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains(report + ": field format_version: expected 1, got 9"), err);
    assertEquals(2, run("propose", "--report", report.toString(), "--rootfs", layout.rootfs().toString()), out + err);
  }
}
