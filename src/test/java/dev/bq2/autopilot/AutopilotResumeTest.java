package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ExitCodes;
import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposalRequest;
import dev.bq2.propose.ProposalRequests;
import dev.bq2.propose.Proposer;
import dev.bq2.propose.RuleProposer;
import dev.bq2.plan.PlanFiles;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.supervise.BackgroundRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An autopilot that dies after its runner failed (here: its proposer blows up, which leaves the
 * files exactly as a kill during a long assistant call would) is continued by the next one from
 * the failed run's report: the build is not rerun just to see the same failure again, the
 * failure is counted once, and a delta already applied for that report is not judged by it.
 */
class AutopilotResumeTest {
  @TempDir Path dir;
  Path rootfs;
  RootfsLayout layout;
  Context ctx;

  /** Dies the way a killed autopilot does: nothing after this point happens. */
  static final class Dies implements Proposer {
    @Override
    public String name() {
      return "dies";
    }

    @Override
    public Optional<Proposal> propose(ProposalRequest request) {
      throw new IllegalStateException("the autopilot dies while proposing");
    }
  }

  @BeforeEach
  void firstAutopilotDiesWhileProposing() throws Exception {
    rootfs = dir.resolve("rootfs");
    layout = Fixture.plan(rootfs, "p", Map.of(), Fixture.Step.shell("docs",
        "if [ \"${MAKEINFO:-}\" != true ]; then echo 'makeinfo: command not found' >&2; exit 127; fi\necho docs built"));
    ctx = Fixture.context(dir, rootfs);
    assertThrows(IllegalStateException.class, () -> Fixture.iterate(ctx, List.of(new Dies()), 3, 20, null, false));
    assertTrue(Files.exists(layout.logDir().resolve(BackgroundRunner.CURRENT)), "the failed run is not handled yet");
  }

  @Test
  @Timeout(60)
  void continuesFromTheFailedRunsReportWithoutRerunningIt() throws Exception {
    Fixture.Run run = Fixture.iterate(ctx, List.of(RuleProposer.withDefaults()), 3, 20, null, false);

    assertEquals(ExitCodes.OK, run.result.exitCode(), run.toString());
    List<JournalEvent> ev = Fixture.events(onlySession());
    List<String> types = Fixture.types(ev);
    assertEquals(2, types.stream().filter("runner_started"::equals).count(), "the failed build ran once: " + types);
    assertEquals(1, types.stream().filter("failure"::equals).count(), "and is counted once: " + types);
    assertTrue(types.contains("runner_reattached") && types.contains("session_resumed"), types.toString());
    assertEquals(List.of("applied", "outcome"), Fixture.history(layout).stream().map(HistoryEntry::event).toList());
    assertEquals("fixed", Fixture.history(layout).get(1).outcome());
  }

  @Test
  @Timeout(60)
  void aDeltaAppliedForTheReportBeforeTheKillIsTriedNotJudgedByThatReport() throws Exception {
    // The dead autopilot got as far as applying the rules' delta for its failure.
    Path report = Fixture.files(layout.reportDir()).get(0);
    Diagnosis d = Diagnoser.diagnose(report);
    Proposal p = RuleProposer.withDefaults()
        .propose(ProposalRequests.build(d, ReportFiles.read(report), PlanFiles.readPlan(layout.plan()),
            PlanFiles.readOverrides(layout.overrides()), layout.overrides(), layout.overridesHistory(), null))
        .orElseThrow();
    new OverridesEditor(layout.overrides(), layout.overridesHistory()).apply(p, d, "rules");

    Fixture.Run run = Fixture.iterate(ctx, List.of(RuleProposer.withDefaults()), 3, 20, null, false);

    assertEquals(ExitCodes.OK, run.result.exitCode(), run.toString());
    List<HistoryEntry> h = Fixture.history(layout);
    assertEquals(List.of("applied", "outcome"), h.stream().map(HistoryEntry::event).toList(),
        "not reverted on the strength of the failure it was made for: " + h);
    assertEquals("fixed", h.get(1).outcome());
    assertTrue(Fixture.overrides(layout).toString().contains("\"MAKEINFO\":\"true\""));
    assertTrue(run.out.contains("already applied"), run.out);
    assertFalse(Files.exists(layout.logDir().resolve(BackgroundRunner.CURRENT)));
  }

  private Path onlySession() throws Exception {
    List<Path> s = Fixture.sessions(rootfs.resolve("var/lib/sysroot-build-sessions"));
    assertEquals(1, s.size(), s.toString());
    return s.get(0);
  }
}
