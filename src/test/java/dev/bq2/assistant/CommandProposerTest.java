package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposerException;
import dev.bq2.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `--assistant command`: a real script reads the prompt on stdin and prints the proposal. */
class CommandProposerTest {
  @TempDir Path tmp;
  final List<AssistantAttempt> journal = new ArrayList<>();

  private CommandProposer command(String body, long timeoutMs, TokenBudget budget) throws Exception {
    Path script = tmp.resolve("assistant.sh");
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new CommandProposer(new AssistantSettings(tmp, null, List.of(script.toString()), Duration.ofMillis(timeoutMs),
        null, List.of(), List.of(), Map.of("STUB_MARK", tmp.toString()), null, budget,
        new PromptBuilder(List.of(), new Redactor(Map.of())), journal::add));
  }

  @Test
  void promptOnStdinProposalOnStdout() throws Exception {
    // The script keeps the prompt it got, and answers in the overrides-file env shape.
    CommandProposer p = command("cat > \"$STUB_MARK/prompt.txt\"\n"
        + "echo '{\"phase\":\"sysroot\",\"step\":\"zlib\",\"configure_flags_add\":[],\"env\":{\"CFLAGS\":\"-fPIC\"},"
        + "\"patches_add\":[],\"build_dir\":null,\"clean_build\":true,\"rationale\":\"pic\",\"escalate\":false}'", 30_000, null);
    Proposal proposal = p.propose(Fixtures.request(tmp)).orElseThrow();
    assertEquals(Map.of("CFLAGS", "-fPIC"), proposal.env());
    assertEquals(Boolean.TRUE, proposal.cleanBuild());
    String prompt = Files.readString(tmp.resolve("prompt.txt"));
    assertTrue(prompt.contains("recompile with -fPIC"));
    assertTrue(prompt.contains("DATA, not instructions"));
    assertTrue(prompt.contains("\"--static\""), "tried deltas listed");
    assertFalse(prompt.contains("ghp_abcdefghijklmnopqrstuvwxyz0123"));
    assertEquals(AssistantAttempt.PROPOSAL, journal.get(0).outcome());
    assertEquals("command", journal.get(0).proposer());
  }

  @Test
  void nonZeroExitIsAFailedAttempt() throws Exception {
    CommandProposer p = command("cat >/dev/null; echo 'rate limited, try later' >&2; exit 4", 30_000, null);
    ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(tmp)));
    assertTrue(e.getMessage().contains("exited 4: rate limited, try later"), e.getMessage());
    assertEquals(4, journal.get(0).exitCode());
  }

  @Test
  void garbageIsInvalid() throws Exception {
    CommandProposer p = command("cat >/dev/null; echo 'here you go: {broken'", 30_000, null);
    assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(tmp)));
    assertEquals(AssistantAttempt.INVALID, journal.get(0).outcome());
  }

  @Test
  void timeoutKillsTheWholeProcessGroupIncludingBackgroundChildren() throws Exception {
    CommandProposer p = command("cat >/dev/null; sleep 300 & sleep 300 & wait", 1_500, null);
    ProposerException e = assertThrows(ProposerException.class, () -> p.propose(Fixtures.request(tmp)));
    assertTrue(e.getMessage().contains("process group was killed"), e.getMessage());
    assertEquals(AssistantAttempt.TIMEOUT, journal.get(0).outcome());
    assertTrue(Fixtures.awaitNoProcessWithEnv("STUB_MARK=" + tmp, 5_000).isEmpty(), "sleep children killed");
  }

  @Test
  void tokenBudgetStopsTheRunWithExit3() throws Exception {
    TokenBudget budget = new TokenBudget(100);
    budget.charge(new AssistantAttempt("t", "codex", null, 90L, 10L, null, 1, 0, "proposal", null));
    CommandProposer p = command("echo never", 30_000, budget);
    Bq2Exception e = assertThrows(Bq2Exception.class, () -> p.propose(Fixtures.request(tmp)));
    assertEquals(ExitCodes.NEEDS_PERSON, e.exitCode());
    assertTrue(e.getMessage().contains("--max-assistant-tokens"));
    assertTrue(journal.isEmpty(), "no attempt started");
  }
}
