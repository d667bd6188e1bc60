package dev.bq2.json;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.FailureClass;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposalRequest;
import dev.bq2.propose.ProposalValidator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 1: four 5 MB configure flags from an assistant made configure fail with
 * "Argument list too long" and a 20-million-character error. Proposal fields are bounded and an
 * over-size proposal is refused with short reasons (they go to the journal).
 */
class ProposalBoundsTest {
  @TempDir Path dir;

  BuildStep step = new BuildStep("zlib", "autotools", "/w/zlib", List.of(), List.of(), null, null, null,
      Map.of(), false, null, null, null, null, null);
  BuildPhase phase = new BuildPhase("p", "d", "host", "/usr", null, Map.of(), List.of(step));

  List<String> check(Proposal p) {
    Diagnosis diag = new Diagnosis(null, "p", "zlib", FailureClass.COMPILE, "e", 1, null, List.of(), "sig");
    return ProposalValidator.validate(p, new ProposalRequest(diag, phase, step, null, List.of(), dir));
  }

  static Proposal p(List<String> flags, Map<String, String> env, String rationale) {
    return new Proposal("p", "zlib", flags, env, List.of(), null, null, rationale, false);
  }

  @Test
  void overSizeFieldsAreRefusedWithShortReasons() {
    String fiveMb = "--enable-" + "x".repeat(5 * 1024 * 1024);
    List<String> why = check(p(List.of(fiveMb, fiveMb, fiveMb, fiveMb), Map.of(), "why"));
    assertFalse(why.isEmpty());
    assertTrue(why.get(0).contains("configure flag #1 is " + fiveMb.length() + " chars (at most " + TextBounds.FLAG + ")"), why.get(0));
    assertTrue(why.stream().allMatch(w -> w.length() < 200), "reasons quote no huge value");

    why = check(p(List.of(), Map.of("CFLAGS", "-O2 " + "-g".repeat(TextBounds.ENV_VALUE)), "why"));
    assertTrue(why.stream().anyMatch(w -> w.startsWith("env CFLAGS is ")), why.toString());

    why = check(p(List.of("--disable-werror"), Map.of(), "r".repeat(TextBounds.RATIONALE + 1)));
    assertTrue(why.stream().anyMatch(w -> w.startsWith("rationale is ")), why.toString());

    // within the bounds the same kind of proposal is fine
    assertEquals(List.of(), check(p(List.of("--disable-werror"), Map.of("CFLAGS", "-O2 -fcommon"), "one line")));
  }

  @Test
  void escalationsWithAHugeRationaleAreRefusedToo() {
    Proposal esc = Proposal.escalate("p", "zlib", "z".repeat(3_000_000));
    List<String> why = check(esc);
    assertTrue(why.get(0).startsWith("rationale is 3000000 chars"), why.toString());
  }
}
