package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.FailureClass;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProposalValidatorTest {
  @TempDir Path dir;

  BuildStep step = new BuildStep("zlib", "autotools", "/w/zlib", List.of("--shared"), List.of(), null, null, null,
      Map.of("CFLAGS", "-O2"), false, null, null, null, null, null);
  BuildPhase phase = new BuildPhase("p", "d", "host", "/usr", null, Map.of("PATH", "/bin"), List.of(step));
  Diagnosis diag = new Diagnosis(null, "p", "zlib", FailureClass.COMPILE, "e", 1, null, List.of(), "sig");

  ProposalRequest req(List<TriedDelta> tried, Path repo) {
    return new ProposalRequest(diag, phase, step, null, tried, repo);
  }

  static Proposal p(String phase, String step, List<String> flags, Map<String, String> env, List<String> patches) {
    return new Proposal(phase, step, flags, env, patches, null, null, "why", false);
  }

  List<String> check(Proposal p) {
    return ProposalValidator.validate(p, req(List.of(), dir));
  }

  static void assertRejected(List<String> why, String fragment) {
    assertTrue(why.stream().anyMatch(w -> w.contains(fragment)), () -> "expected '" + fragment + "' in " + why);
  }

  @Test
  void aGoodDeltaPasses() {
    assertEquals(List.of(), check(p("p", "zlib", List.of("--disable-werror"), Map.of("CFLAGS", "-O2 -fcommon"), List.of())));
    assertEquals(List.of(), check(p("p", null, List.of(), Map.of("MAKEINFO", "true"), List.of())));
  }

  @Test
  void wrongTargetIsRefused() {
    assertRejected(check(p("q", "zlib", List.of("--x"), Map.of(), List.of())), "targets phase q");
    assertRejected(check(p("p", "bzip2", List.of("--x"), Map.of(), List.of())), "targets step bzip2");
    assertRejected(check(p("p", null, List.of("--x"), Map.of(), List.of())), "phase-wide");
  }

  @Test
  void noEffectiveChangeIsRefused() {
    assertRejected(check(p("p", "zlib", List.of("--shared"), Map.of(), List.of())), "changes nothing");
    assertRejected(check(p("p", "zlib", List.of(), Map.of("CFLAGS", "-O2"), List.of())), "changes nothing");
    // a phase-wide CFLAGS is shadowed by the step's own CFLAGS
    assertRejected(check(p("p", null, List.of(), Map.of("CFLAGS", "-O3"), List.of())), "changes nothing");
    assertRejected(check(p("p", "zlib", List.of(), Map.of(), List.of())), "empty delta");
  }

  @Test
  void alreadyTriedIsRefused() {
    Proposal d = p("p", "zlib", List.of("--disable-werror"), Map.of(), List.of());
    Proposal sameOtherWords = new Proposal("p", "zlib", List.of("--disable-werror"), Map.of(), List.of(), null, null, "other rationale", false);
    assertRejected(ProposalValidator.validate(sameOtherWords, req(List.of(new TriedDelta(d, "rules", "same_failure")), dir)), "already tried");
  }

  @Test
  void tooBigIsRefused() {
    assertRejected(check(p("p", "zlib", List.of("-a", "-b", "-c", "-d", "-e"), Map.of(), List.of())), "too many configure flags");
    assertRejected(check(p("p", "zlib", List.of(), Map.of("A", "1", "B", "1", "C", "1", "D", "1", "E", "1"), List.of())), "too many env keys");
    assertRejected(check(p("p", "zlib", List.of(), Map.of(), List.of("patches/a", "patches/b", "patches/c"))), "too many patches");
  }

  @Test
  void loaderHijackingKeysAreRefused() {
    for (String k : List.of("LD_PRELOAD", "LD_AUDIT", "LD_DEBUG_OUTPUT", "GCONV_PATH", "BASH_ENV", "BASH_FUNC_x%%")) {
      assertRejected(check(p("p", "zlib", List.of(), Map.of(k, "/x.so"), List.of())), "hijack");
    }
    assertEquals(List.of(), check(p("p", "zlib", List.of(), Map.of("LD_LIBRARY_PATH", "/opt/sysroot/lib"), List.of())));
  }

  @Test
  void newlinesAndNulAreRefused() {
    assertRejected(check(p("p", "zlib", List.of(), Map.of("CFLAGS", "-O2\nrm -rf /"), List.of())), "newline or NUL");
    assertRejected(check(p("p", "zlib", List.of("--a\0b"), Map.of(), List.of())), "newline or NUL");
  }

  @Test
  void patchesOnlyFromTheReposPatchesDir() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path patches = Files.createDirectories(repo.resolve("patches/zlib"));
    Files.writeString(patches.resolve("fix.patch"), "--- a/x\n+++ b/x\n");
    Path outside = Files.writeString(dir.resolve("evil.patch"), "x");
    Files.createSymbolicLink(patches.resolve("link.patch"), outside);
    ProposalRequest r = req(List.of(), repo);
    assertEquals(List.of(), ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of("patches/zlib/fix.patch")), r));
    assertEquals(List.of(), ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of(patches.resolve("fix.patch").toString())), r));
    assertRejected(ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of("patches/../../evil.patch")), r), "outside");
    assertRejected(ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of(outside.toString())), r), "outside");
    assertRejected(ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of("patches/zlib/link.patch")), r), "symlink");
    assertRejected(ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of("patches/zlib/missing.patch")), r), "does not exist");
    assertRejected(ProposalValidator.validate(p("p", "zlib", List.of(), Map.of(), List.of("patches/zlib/fix.patch")), req(List.of(), null)), "no repo");
  }

  @Test
  void escalationAndBuildDirChecks() {
    assertRejected(check(Proposal.escalate("p", "zlib", "no idea")), "no safe fix");
    Proposal bad = new Proposal("p", "zlib", List.of(), Map.of(), List.of(), "../out", null, "r", false);
    assertRejected(check(bad), "relative path inside");
  }
}
