package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bq2 iterate --assistant codex` when Codex cannot help: server error, garbage, a proposal our
 * validator refuses, a hang. Each attempt is journaled, nothing is applied, the run stops with 3.
 */
class CodexIterateFailuresTest {
  @TempDir Path tmp;

  private IterateRig.Run iterate(IterateRig rig, ResponsesStub stub, String... more) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("codex-home"));
    List<String> args = new java.util.ArrayList<>(List.of("--assistant", "codex",
        "--assistant-binary", Fixtures.binary("codex").toString(), "--quiet"));
    for (String c : stub.codexConfig()) args.add("--assistant-config=" + c);
    args.addAll(List.of(more));
    return rig.iterate(Map.of("CODEX_HOME", home.toString()), args.toArray(String[]::new));
  }

  /** Each failed attempt is journaled, nothing is applied, state is the runner's, exit 3. */
  private void assertNoSafeFix(IterateRig rig, IterateRig.Run r, String outcome, String errorPart) throws Exception {
    assertEquals(3, r.exit(), r.out());
    List<JsonNode> attempts = rig.events("assistant_attempt");
    assertEquals(1, attempts.size(), r.out());
    assertEquals(outcome, attempts.get(0).at("/data/outcome").asText(), attempts.get(0).toString());
    if (errorPart != null) {
      List<JsonNode> all = rig.events();
      assertTrue(all.stream().anyMatch(e -> e.path("message").asText().contains(errorPart)),
          () -> errorPart + " not in " + all);
    }
    rig.assertNothingApplied(r);
    assertEquals("p", rig.nextPhase());
    JsonNode state = rig.stateJson();
    assertEquals("pkg1", state.at("/progress/last_failure/step").asText(), state.toString());
    List<JsonNode> stopped = rig.events("stopped");
    assertEquals(1, stopped.size());
    assertTrue(stopped.get(0).path("message").asText().startsWith("no safe fix known for p/pkg1"), stopped.toString());
  }

  @Test
  void serverErrorStopsWithNoSafeFix() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Status(500));
      IterateRig.Run r = iterate(rig, stub);
      assertNoSafeFix(rig, r, AssistantAttempt.FAILED, "codex gave no answer");
    }
  }

  @Test
  void garbageAnswerStopsWithNoSafeFix() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Text("Have you tried turning it off and on again?"));
      IterateRig.Run r = iterate(rig, stub);
      assertNoSafeFix(rig, r, AssistantAttempt.INVALID, "not a valid proposal");
    }
  }

  @Test
  void proposalForAnotherStepSettingLdPreloadIsRejectedAndNeverApplied() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Json_(IterateRig.proposal("pkg2", "LD_PRELOAD", "/tmp/evil.so", "hook")));
      IterateRig.Run r = iterate(rig, stub);
      // The answer is a schema-valid proposal; our validator refuses it.
      assertNoSafeFix(rig, r, AssistantAttempt.PROPOSAL, null);
      JsonNode rejected = rig.events("proposal_rejected").stream()
          .filter(e -> "codex".equals(e.at("/data/proposer").asText())).findFirst().orElseThrow();
      String why = rejected.path("message").asText();
      assertTrue(why.contains("targets step pkg2 but the failing step is pkg1"), why);
      assertTrue(why.contains("LD_PRELOAD can hijack"), why);
      assertFalse(Files.exists(rig.overrides()));
    }
  }

  @Test
  void assistantThatNeverAnswersTimesOut() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Hang());
      IterateRig.Run r = iterate(rig, stub, "--assistant-timeout", "5s");
      assertNoSafeFix(rig, r, AssistantAttempt.TIMEOUT, "no answer within 5s");
      assertTrue(Fixtures.awaitNoProcessWithEnv(tmp.resolve("codex-home").toString(), 5_000).isEmpty(),
          "no codex process left behind");
      assertNotNull(rig.events("assistant_attempt").get(0).at("/data/duration_ms"));
    }
  }
}
