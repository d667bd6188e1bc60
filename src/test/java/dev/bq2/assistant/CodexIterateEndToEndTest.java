package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.cli.Bq2;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `bq2 iterate --assistant codex` end to end: real failing builds no rule knows, the real Codex
 * CLI against the local Responses API stub, our runner as a child process, real files.
 */
class CodexIterateEndToEndTest {
  @TempDir Path tmp;

  private IterateRig.Run iterate(IterateRig rig, ResponsesStub stub, String... more) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("codex-home"));
    List<String> args = new java.util.ArrayList<>(List.of("--assistant", "codex",
        "--assistant-binary", Fixtures.binary("codex").toString(), "--quiet"));
    for (String c : stub.codexConfig()) args.add("--assistant-config=" + c);
    args.addAll(List.of(more));
    return rig.iterate(Map.of("CODEX_HOME", home.toString()), args.toArray(String[]::new));
  }

  @Test
  void noRuleKnowsTheFailureCodexFixesBothPackagesInOneThreadAndThePhaseAdvances() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Json_(IterateRig.proposal("pkg1", "CPPFLAGS", "-DBQ2_OK", "pkg1 needs BQ2_OK")),
          new ModelStub.Json_(IterateRig.proposal("pkg2", "CPPFLAGS", "-DBQ2_OK2", "pkg2 needs BQ2_OK2")));
      IterateRig.Run r = iterate(rig, stub);

      assertEquals(0, r.exit(), r.out());
      assertEquals("later", rig.nextPhase(), r.out());
      assertEquals("-DBQ2_OK", rig.overrideEnv("pkg1", "CPPFLAGS"));
      assertEquals("-DBQ2_OK2", rig.overrideEnv("pkg2", "CPPFLAGS"));
      assertTrue(Files.isExecutable(tmp.resolve("pkg1/pkg1")) && Files.isExecutable(tmp.resolve("pkg2/pkg2")), "both built");

      // Rules first, then Codex: the rules had nothing for either failure.
      List<JsonNode> rejected = rig.events("proposal_rejected");
      assertEquals(2, rejected.size(), r.out());
      rejected.forEach(e -> assertEquals("rules has no proposal", e.path("message").asText()));

      // One thread, stored at once, resumed for the second package; the stub saw the first turn.
      String thread = Files.readString(rig.sessionFile);
      assertTrue(thread.matches("[0-9a-f-]{36}\n"), thread);
      List<JsonNode> attempts = rig.events("assistant_attempt");
      assertEquals(2, attempts.size(), r.out());
      for (JsonNode a : attempts) {
        assertEquals("proposal", a.at("/data/outcome").asText());
        assertEquals(thread.strip(), a.at("/data/session_id").asText());
        assertEquals(ResponsesStub.IN, a.at("/data/tokens_in").asInt());
        assertEquals(ResponsesStub.OUT, a.at("/data/tokens_out").asInt());
        assertEquals("p", a.path("phase").asText());
      }
      assertEquals("pkg1", attempts.get(0).path("step").asText());
      assertEquals("pkg2", attempts.get(1).path("step").asText());
      assertEquals(2 * (ResponsesStub.IN + ResponsesStub.OUT), attempts.get(1).at("/data/tokens_total").asInt());
      assertEquals(2, stub.requests().size());
      String first = stub.requests().get(0).get("input").toString();
      String second = stub.requests().get(1).get("input").toString();
      assertTrue(first.contains("pkg1 must be built with CPPFLAGS=-DBQ2_OK"), "the compiler error went out");
      assertTrue(second.contains("pkg1 needs BQ2_OK"), "the resumed turn carries Codex's earlier answer");
      assertTrue(second.contains("pkg1 must be built with CPPFLAGS") && second.contains("pkg2 must be built"),
          "and both prompts");

      List<String> types = rig.events().stream().map(e -> e.path("type").asText()).toList();
      assertEquals(2, types.stream().filter("applied"::equals).count(), types.toString());
      assertEquals("phase_complete", types.get(types.size() - 1));
    }
  }

  @Test
  void theBuiltInRulesHaveNothingForThisFailure() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    StringWriter out = new StringWriter();
    CommandLine cl = Bq2.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int rc = cl.execute("sysroot-runner", "--rootfs", rig.rootfs.toString(), "--phase", "p");
    assertEquals(1, rc, out.toString());
    Path report;
    try (var s = Files.list(rig.rootfs.resolve("var/lib/sysroot-build-reports"))) {
      report = s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    StringWriter pout = new StringWriter();
    CommandLine pc = Bq2.commandLine();
    pc.setOut(new PrintWriter(pout, true));
    int prc = pc.execute("propose", "--assistant", "rules", "--report", report.toString(), "--rootfs", rig.rootfs.toString());
    assertEquals(3, prc, pout.toString());
    assertTrue(pout.toString().contains("no rule knows this failure"), pout.toString());
  }
}
