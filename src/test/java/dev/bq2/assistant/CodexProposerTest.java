package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposerException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Codex CLI 0.169.0 against a local Responses API stub. */
class CodexProposerTest {
  @TempDir Path tmp;
  final List<AssistantAttempt> journal = new ArrayList<>();

  private CodexProposer codex(ModelStub stub, List<String> config, long timeoutMs) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("codex-home"));
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    return new CodexProposer(Fixtures.settings(repo, Fixtures.binary("codex").toString(),
        config, Map.of("CODEX_HOME", home.toString()), new SessionFile(tmp.resolve("session-id")), timeoutMs, journal));
  }

  private Path repo() {
    return tmp.resolve("repo");
  }

  @Test
  void proposalParsedThreadStoredAndNextAttemptResumesTheSameThread() throws Exception {
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Json_(Fixtures.PROPOSAL), new ModelStub.Json_(Fixtures.PROPOSAL.replace("static only", "second")));
      CodexProposer p = codex(stub, stub.codexConfig(), 60_000);

      Proposal first = p.propose(Fixtures.request(repo())).orElseThrow();
      assertEquals("zlib", first.step());
      assertEquals(List.of("--disable-shared"), first.configureFlagsAdd());
      assertEquals(Map.of("CFLAGS", "-O2 -fPIC"), first.env());
      String thread = Files.readString(tmp.resolve("session-id"));
      assertTrue(thread.matches("[0-9a-f-]{36}\n"), thread);
      AssistantAttempt a1 = journal.get(0);
      assertEquals(AssistantAttempt.PROPOSAL, a1.outcome());
      assertEquals(thread.strip(), a1.sessionId());
      assertEquals(ResponsesStub.IN, a1.tokensIn());
      assertEquals(ResponsesStub.OUT, a1.tokensOut());
      assertEquals(0, a1.exitCode());
      // The schema went out as strict structured output, the prompt redacted.
      JsonNode req1 = stub.requests().get(0);
      assertEquals("json_schema", req1.at("/text/format/type").asText());
      assertEquals(false, req1.at("/text/format/schema/additionalProperties").asBoolean(true));
      String sent = req1.get("input").toString();
      assertTrue(sent.contains("recompile with -fPIC"), "excerpt sent");
      assertFalse(sent.contains("ghp_abcdefghijklmnopqrstuvwxyz0123"), "token redacted");
      assertFalse(sent.contains("abcdefghijklmnop0123456789"), "bearer redacted");

      Proposal second = p.propose(Fixtures.request(repo())).orElseThrow();
      assertEquals("second", second.rationale());
      assertEquals(thread, Files.readString(tmp.resolve("session-id")), "same thread");
      JsonNode req2 = stub.requests().get(1);
      String history = req2.get("input").toString();
      assertTrue(history.contains("static only"), "the server saw the earlier answer: " + history.length());
      assertEquals(2, count(history, "recompile with -fPIC"), "both prompts in the resumed input");
      AssistantAttempt a2 = journal.get(1);
      assertEquals(thread.strip(), a2.sessionId());
      assertEquals(ResponsesStub.IN, a2.tokensIn(), "per-attempt difference of the running total");
      assertEquals(ResponsesStub.OUT, a2.tokensOut());
    }
  }

  @Test
  void unknownStoredThreadStartsANewOneAndStoresItsId() throws Exception {
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Json_(Fixtures.PROPOSAL));
      CodexProposer p = codex(stub, stub.codexConfig(), 60_000);
      String stale = "01a21ca5-0000-7000-8000-000000000000";
      new SessionFile(tmp.resolve("session-id")).write(stale);
      assertTrue(p.propose(Fixtures.request(repo())).isPresent());
      String now = Files.readString(tmp.resolve("session-id")).strip();
      assertNotEquals(stale, now);
      assertEquals(now, journal.get(0).sessionId());
      assertEquals(1, stub.requests().size());
    }
  }

  @Test
  void serverErrorEndsAsAFailedAttempt() throws Exception {
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Status(500));
      CodexProposer p = codex(stub, stub.codexConfig(), 60_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(repo())));
      assertTrue(e.getMessage().startsWith("codex gave no answer (exit 1)"), e.getMessage());
      assertEquals(AssistantAttempt.FAILED, journal.get(0).outcome());
      assertTrue(Files.exists(tmp.resolve("session-id")), "thread id stored even though the turn failed");
    }
  }

  @Test
  void garbageAnswerIsInvalid() throws Exception {
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Text("Sure! I think you should add -fPIC."));
      CodexProposer p = codex(stub, stub.codexConfig(), 60_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(repo())));
      assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
      assertEquals(AssistantAttempt.INVALID, journal.get(0).outcome());
      assertEquals(0, journal.get(0).exitCode(), "codex itself exits 0: only the answer tells");
    }
  }

  @Test
  void proposalFailingTheSchemaIsInvalid() throws Exception {
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Json_(Fixtures.PROPOSAL.replace("\"escalate\":false", "\"escalate\":\"no\",\"extra\":1")));
      CodexProposer p = codex(stub, stub.codexConfig(), 60_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(repo())));
      assertTrue(e.getMessage().contains("$.escalate: expected boolean, got string"), e.getMessage());
      assertTrue(e.getMessage().contains("unexpected key \"extra\""), e.getMessage());
      assertEquals(AssistantAttempt.INVALID, journal.get(0).outcome());
    }
  }

  @Test
  void serverThatNeverAnswersTimesOutAndTheProcessGroupIsKilled() throws Exception {
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Hang());
      CodexProposer p = codex(stub, stub.codexConfig(), 4_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(repo())));
      assertTrue(e.getMessage().contains("no answer within"), e.getMessage());
      AssistantAttempt a = journal.get(0);
      assertEquals(AssistantAttempt.TIMEOUT, a.outcome());
      assertNull(a.exitCode());
      assertTrue(Fixtures.awaitNoProcessWithEnv(tmp.resolve("codex-home").toString(), 5_000).isEmpty(),
          "no codex process left");
    }
  }

  @Test
  void refusedConnectionWouldRetryForeverButTheTimeoutEndsIt() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> config = List.of("model_provider=\"stub\"",
        "model_providers.stub={name=\"stub\",base_url=\"http://127.0.0.1:" + port
            + "/v1\",wire_api=\"responses\",request_max_retries=0,stream_max_retries=0}",
        "model=\"test-model\"");
    CodexProposer p = codex(null, config, 4_000);
    ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(repo())));
    assertTrue(e.getMessage().contains("process group was killed"), e.getMessage());
    assertEquals(AssistantAttempt.TIMEOUT, journal.get(0).outcome());
    assertTrue(Fixtures.awaitNoProcessWithEnv(tmp.resolve("codex-home").toString(), 5_000).isEmpty(),
        "no codex process left");
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
    return n;
  }
}
