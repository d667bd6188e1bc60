package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Claude Code 2.1.197 against a local Messages API stub (isolated HOME, dummy key). */
class ClaudeProposerTest {
  @TempDir Path tmp;
  final List<AssistantAttempt> journal = new ArrayList<>();

  private ClaudeProposer claude(ModelStub stub, long timeoutMs) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Files.createDirectories(tmp.resolve("repo"));
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + stub.port());
    env.put("ANTHROPIC_API_KEY", "dummy");
    env.put("CLAUDE_CODE_MAX_RETRIES", "0");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.put("DISABLE_TELEMETRY", "1");
    return new ClaudeProposer(Fixtures.settings(tmp.resolve("repo"), Fixtures.binary("claude").toString(), List.of(),
        env, new SessionFile(tmp.resolve("claude-session")), timeoutMs, journal));
  }

  @Test
  void structuredOutputIsTheProposalAndTheSessionIsResumed() throws Exception {
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Json_(Fixtures.PROPOSAL), new ModelStub.Json_(Fixtures.PROPOSAL.replace("static only", "again")));
      ClaudeProposer p = claude(stub, 60_000);
      Proposal first = p.propose(Fixtures.request(tmp.resolve("repo"))).orElseThrow();
      assertEquals(List.of("--disable-shared"), first.configureFlagsAdd());
      String sid = Files.readString(tmp.resolve("claude-session")).strip();
      AssistantAttempt a = journal.get(0);
      assertEquals(AssistantAttempt.PROPOSAL, a.outcome());
      assertEquals(sid, a.sessionId());
      assertEquals(MessagesStub.IN, a.tokensIn());
      assertEquals(MessagesStub.OUT, a.tokensOut());
      assertNotNull(a.costUsd());
      JsonNode req = stub.requests().get(0);
      List<String> tools = new ArrayList<>();
      req.path("tools").forEach(t -> tools.add(t.path("name").asText()));
      assertEquals(List.of("StructuredOutput"), tools, "no tools but the schema's");
      assertFalse(req.toString().contains("ghp_abcdefghijklmnopqrstuvwxyz0123"), "token redacted");

      Proposal second = p.propose(Fixtures.request(tmp.resolve("repo"))).orElseThrow();
      assertEquals("again", second.rationale());
      assertEquals(sid, journal.get(1).sessionId(), "resumed the same session");
      String history = stub.requests().get(stub.requests().size() - 1).get("messages").toString();
      assertTrue(history.contains("static only"), "the server saw the earlier turn");
    }
  }

  @Test
  void unknownStoredSessionStartsANewOne() throws Exception {
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Json_(Fixtures.PROPOSAL));
      ClaudeProposer p = claude(stub, 60_000);
      String stale = "ae4b0623-0000-4000-8000-000000000000";
      new SessionFile(tmp.resolve("claude-session")).write(stale);
      assertTrue(p.propose(Fixtures.request(tmp.resolve("repo"))).isPresent());
      assertNotEquals(stale, Files.readString(tmp.resolve("claude-session")).strip());
    }
  }

  @Test
  void answerWithoutStructuredOutputIsInvalid() throws Exception {
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Text("Just add -fPIC, trust me."));
      ClaudeProposer p = claude(stub, 60_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(tmp.resolve("repo"))));
      assertTrue(e.getMessage().contains("without structured_output"), e.getMessage());
      assertEquals(AssistantAttempt.INVALID, journal.get(0).outcome());
    }
  }

  @Test
  void serverErrorIsAFailedAttempt() throws Exception {
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Status(500));
      ClaudeProposer p = claude(stub, 60_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(tmp.resolve("repo"))));
      assertTrue(e.getMessage().contains("API status 500"), e.getMessage());
      assertEquals(AssistantAttempt.FAILED, journal.get(0).outcome());
    }
  }

  @Test
  void hungServerTimesOutAndTheProcessGroupIsKilled() throws Exception {
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Hang());
      ClaudeProposer p = claude(stub, 4_000);
      ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(tmp.resolve("repo"))));
      assertTrue(e.getMessage().contains("process group was killed"), e.getMessage());
      assertEquals(AssistantAttempt.TIMEOUT, journal.get(0).outcome());
      assertTrue(Fixtures.awaitNoProcessWithEnv(tmp.resolve("home").toString(), 5_000).isEmpty());
    }
  }
}
