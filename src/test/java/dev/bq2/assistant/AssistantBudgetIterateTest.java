package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `--max-assistant-tokens`: the run stops with exit 3 once the assistants' tokens are spent. */
class AssistantBudgetIterateTest {
  @TempDir Path tmp;

  private IterateRig.Run claude(IterateRig rig, MessagesStub stub, String... more) throws Exception {
    return rig.iterateWithClaude(tmp.resolve("home"), stub, more);
  }


  @Test
  void tokenBudgetSpentStopsTheRunWithExit3() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Json_(IterateRig.proposal("pkg1", "CPPFLAGS", "-DBQ2_OK", "pkg1 needs BQ2_OK")),
          new ModelStub.Json_(IterateRig.proposal("pkg2", "CPPFLAGS", "-DBQ2_OK2", "pkg2 needs BQ2_OK2")));
      // The first attempt (18 tokens) crosses the limit of 10 and still counts; no second one starts.
      IterateRig.Run r = claude(rig, stub, "--max-assistant-tokens", "10");

      assertEquals(3, r.exit(), r.out());
      assertEquals("-DBQ2_OK", rig.overrideEnv("pkg1", "CPPFLAGS"), "the paid-for answer was applied");
      assertEquals(null, rig.overrideEnv("pkg2", "CPPFLAGS"));
      assertEquals(1, rig.events("assistant_attempt").size());
      List<JsonNode> stopped = rig.events("stopped");
      assertEquals(1, stopped.size(), r.out());
      assertTrue(stopped.get(0).path("message").asText().contains("assistant token budget spent: 18 of 10"),
          stopped.toString());
      assertEquals(3, stopped.get(0).at("/data/exit_code").asInt());
      assertEquals("pkg2", rig.stateJson().at("/progress/last_failure/step").asText());
      assertEquals(1, stub.requests().size(), "no request after the budget was spent");
    }
  }
}
