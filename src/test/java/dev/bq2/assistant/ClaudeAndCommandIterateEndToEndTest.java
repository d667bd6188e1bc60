package dev.bq2.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bq2 iterate` end to end through the real Claude Code (against the local Messages API stub)
 * and through `--assistant command` with a test script.
 */
class ClaudeAndCommandIterateEndToEndTest {
  @TempDir Path tmp;

  private IterateRig.Run claude(IterateRig rig, MessagesStub stub, String... more) throws Exception {
    return rig.iterateWithClaude(tmp.resolve("home"), stub, more);
  }


  @Test
  void claudeFixesBothPackagesInOneSessionAndThePhaseAdvances() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    try (MessagesStub stub = new MessagesStub()) {
      stub.then(new ModelStub.Json_(IterateRig.proposal("pkg1", "CPPFLAGS", "-DBQ2_OK", "pkg1 needs BQ2_OK")),
          new ModelStub.Json_(IterateRig.proposal("pkg2", "CPPFLAGS", "-DBQ2_OK2", "pkg2 needs BQ2_OK2")));
      IterateRig.Run r = claude(rig, stub);

      assertEquals(0, r.exit(), r.out());
      assertEquals("later", rig.nextPhase());
      assertEquals("-DBQ2_OK", rig.overrideEnv("pkg1", "CPPFLAGS"));
      assertEquals("-DBQ2_OK2", rig.overrideEnv("pkg2", "CPPFLAGS"));
      String session = Files.readString(rig.claudeSessionFile).strip();
      assertTrue(!session.isEmpty() && !Files.exists(rig.sessionFile), "Claude's own session file, not Codex's");
      List<JsonNode> attempts = rig.events("assistant_attempt");
      assertEquals(2, attempts.size(), r.out());
      for (JsonNode a : attempts) {
        assertEquals("claude", a.at("/data/proposer").asText());
        assertEquals("proposal", a.at("/data/outcome").asText());
        assertEquals(session, a.at("/data/session_id").asText(), "one session, resumed");
        assertEquals(MessagesStub.IN, a.at("/data/tokens_in").asInt());
        assertEquals(MessagesStub.OUT, a.at("/data/tokens_out").asInt());
        assertTrue(a.at("/data/cost_usd").isNumber(), a.toString());
      }
      String last = stub.requests().get(stub.requests().size() - 1).get("messages").toString();
      assertTrue(last.contains("pkg1 must be built with CPPFLAGS") && last.contains("pkg2 must be built"),
          "the resumed session carries the earlier turn");
      assertTrue(last.contains("pkg1 needs BQ2_OK"), "and Claude's earlier answer");
    }
  }

  @Test
  void commandScriptFixesBothPackagesWithoutARepo() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    rig.passRepo = false;
    Path script = tmp.resolve("assistant.sh");
    // Reads the prompt, keeps it, and answers for whichever package the prompt names as failing.
    Files.writeString(script, """
        #!/bin/sh
        n=$(ls "$0".prompt.* 2>/dev/null | wc -l)
        cat > "$0.prompt.$n"
        if grep -q 'pkg2 must be built' "$0.prompt.$n"; then step=pkg2; def=-DBQ2_OK2; else step=pkg1; def=-DBQ2_OK; fi
        printf '{"phase":"p","step":"%s","configure_flags_add":[],"env":{"CPPFLAGS":"%s"},"patches_add":[],"build_dir":null,"clean_build":null,"rationale":"from the script","escalate":false}\\n' "$step" "$def"
        """);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    IterateRig.Run r = rig.iterate(Map.of(), "--assistant", "command", "--assistant-command", script.toString(), "--quiet");

    assertEquals(0, r.exit(), r.out());
    assertEquals("later", rig.nextPhase());
    assertEquals("-DBQ2_OK", rig.overrideEnv("pkg1", "CPPFLAGS"));
    assertEquals("-DBQ2_OK2", rig.overrideEnv("pkg2", "CPPFLAGS"));
    List<JsonNode> attempts = rig.events("assistant_attempt");
    assertEquals(2, attempts.size(), r.out());
    attempts.forEach(a -> assertEquals("proposal", a.at("/data/outcome").asText()));
    assertEquals(List.of("pkg1", "pkg2"), attempts.stream().map(a -> a.path("step").asText()).toList());
    assertTrue(Files.readString(tmp.resolve("assistant.sh.prompt.0")).contains("pkg1 must be built with CPPFLAGS=-DBQ2_OK"));
    assertTrue(Files.readString(tmp.resolve("assistant.sh.prompt.1")).contains("pkg2 must be built with CPPFLAGS=-DBQ2_OK2"));
  }

  /**
   * Issue 9 item 7: an assistant answer whose value a recipe shell would run (backticks in
   * CPPFLAGS) is refused with the reason journaled, never applied, and never runs.
   */
  @Test
  void anAnswerThatWouldRunCodeIsRefusedAndNeverRuns() throws Exception {
    IterateRig rig = new IterateRig(tmp);
    rig.passRepo = false;
    Path mark = tmp.resolve("pwned");
    Path script = tmp.resolve("assistant.sh");
    Files.writeString(script, """
        #!/bin/sh
        cat > /dev/null
        printf '{"phase":"p","step":"pkg1","configure_flags_add":[],"env":{"CPPFLAGS":"-DBQ2_OK `touch %s`"},"patches_add":[],"build_dir":null,"clean_build":null,"rationale":"looks harmless","escalate":false}\\n'
        """.formatted(mark));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    IterateRig.Run r = rig.iterate(Map.of(), "--assistant", "command", "--assistant-command", script.toString(), "--quiet");

    assertEquals(3, r.exit(), r.out());
    rig.assertNothingApplied(r);
    assertFalse(Files.exists(mark), "the backticks were run");
    List<JsonNode> rejected = rig.events("proposal_rejected");
    assertTrue(rejected.stream().anyMatch(e -> e.path("message").asText().contains("expansion syntax")), rejected.toString());
  }
}
