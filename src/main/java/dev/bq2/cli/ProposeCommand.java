package dev.bq2.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.assistant.PromptBuilder;
import dev.bq2.diagnose.Diagnoser;
import dev.bq2.diagnose.Diagnosis;
import dev.bq2.diagnose.DiagnosisJson;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.PlanFiles;
import dev.bq2.propose.FirstProposal;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.TriedDeltas;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposalRequest;
import dev.bq2.propose.ProposalRequests;
import dev.bq2.redact.Redactor;
import dev.bq2.report.FailureReport;
import dev.bq2.report.ReportFiles;
import dev.bq2.rootfs.ContextDetector;
import dev.bq2.rootfs.RootfsLayout;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `bq2 propose`: the minimal override delta for one failure report, printed (and with --apply,
 * validated and applied to the overrides file with a history line). Exit 0 with a proposal,
 * 3 when no rule knows the failure (or the only known answer is to escalate); 0 with a note when
 * the fix applied for this failure is already in force.
 */
@Command(name = "propose", mixinStandardHelpOptions = true,
    description = "Propose a minimal override delta for a failure report (rules, then an assistant); --apply applies it.")
public class ProposeCommand implements Callable<Integer> {
  @Option(names = "--report", required = true, paramLabel = "FILE", description = "The failure report (JSON).")
  Path report;

  @Option(names = "--rootfs", paramLabel = "DIR",
      description = "Rootfs whose var/lib holds plan, overrides and history (default: $BQ2_ROOTFS when set).")
  Path rootfs;

  @Option(names = "--plan", paramLabel = "FILE", description = "The build plan (default <rootfs>/var/lib/...; without one the report's phase/step are used).")
  Path plan;

  @Option(names = "--overrides", paramLabel = "FILE", description = "The overrides file (the history is <name>.history.jsonl beside it).")
  Path overrides;

  @Option(names = "--state-path", paramLabel = "FILE", description = "Accepted for symmetry with the runner; not read.")
  Path statePath;

  @Option(names = "--repo", paramLabel = "DIR", description = "The builder repo; patches may only come from its patches/.")
  Path repo;

  /** `--assistant rules|codex|claude|command|auto` and friends, as for `bq2 iterate`. */
  @Mixin AssistantOptions assistant;

  @Option(names = "--rules", paramLabel = "FILE", description = "Extra rules, tried before the built-in ones (same id replaces a built-in).")
  Path rulesFile;

  @Option(names = "--json", description = "Print one JSON object: diagnosis, proposal (or null), rule, problems, applied.")
  boolean json;

  @Option(names = "--apply", description = "Validate and apply the proposal to the overrides file, with a history line.")
  boolean apply;

  @Option(names = "--show-prompt", description = "Print the prompt an assistant would get for this failure (with the"
      + " package's evidence), asking no one; exit 0.")
  boolean showPrompt;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** What `--json` prints. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"proposal", "proposer", "rule", "problems", "applied", "overrides", "diagnosis", "in_force", "note"})
  public record Result(Proposal proposal, String proposer, String rule, List<String> problems, String applied,
      String overrides, DiagnosisJson diagnosis, String inForce, String note) {}

  @Override
  public Integer call() throws InterruptedException {
    if (!showPrompt) assistant.checkInstalled(); // --show-prompt asks no one
    Path root = rootfs != null ? rootfs : ContextDetector.envRootfs();
    boolean haveFiles = root != null || overrides != null || plan != null;
    RootfsLayout layout = haveFiles ? RootfsLayout.of(root, plan, overrides, statePath, null, null) : null;
    Path planFile = layout == null ? null : layout.plan();
    Path overridesFile = layout == null ? null : layout.overrides();
    if (apply && overridesFile == null) {
      throw Bq2Exception.badInput("--apply needs the overrides file: pass --overrides FILE or --rootfs DIR");
    }
    FailureReport failure = ReportFiles.read(report);
    Diagnosis d = Diagnoser.diagnose(report, failure);
    BuildPlan bp = planFile != null && (plan != null || Files.exists(planFile)) ? PlanFiles.readPlan(planFile) : null;
    Overrides ov = PlanFiles.readOverrides(overridesFile);
    Path history = layout == null ? null : layout.overridesHistory();
    ProposalRequest req = ProposalRequests.build(d, failure, bp, ov, overridesFile, history, repo);
    if (showPrompt) {
      // What would leave the machine, redacted as for a real assistant; no proposer is asked.
      PrintWriter po = spec.commandLine().getOut();
      po.print(new PromptBuilder(PromptBuilder.defaultDirs(repo), Redactor.forProcessEnv()).proposePrompt(req));
      po.flush();
      return ExitCodes.OK;
    }
    // Its fix may already be in the overrides (applied by iterate or an earlier --apply): then the
    // answer is to rerun, not a second, different fix and not "no rule knows this".
    Optional<TriedDeltas.InForce> inForce = TriedDeltas.inForceFor(history, d.signature(), d.phase(), d.step());
    if (inForce.isPresent()) {
      HistoryEntry h = inForce.get().applied();
      String line = "the fix " + h.proposer() + " → " + h.delta().summary() + " is already in force (applied at "
          + h.time() + ", " + h.id() + ", outcome " + inForce.get().outcome() + "); rerun the runner"
          + " (`bq2 iterate` or `bq2 sysroot-runner`) to build with it";
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.print(Json.pretty(new Result(null, h.proposer(), null, List.of(), null,
            overridesFile == null ? null : overridesFile.toString(), DiagnosisJson.of(d), h.id(), line)));
      } else {
        out.println("failure: " + d.phase() + "/" + d.step() + " " + DiagnosisJson.of(d).failureClass()
            + " signature " + d.signature().substring(0, 12));
        out.println(TerminalText.escape(line));
      }
      out.flush();
      return ExitCodes.OK;
    }
    // The same proposers, in the same order, as `bq2 iterate` asks.
    FirstProposal first = FirstProposal.ask(assistant.proposers(rulesFile, repo, attempt -> { }), req);
    Optional<Proposal> found = first.proposal();
    List<String> problems = first.problems();
    String applied = null;
    if (apply && problems.isEmpty()) {
      HistoryEntry h = new OverridesEditor(overridesFile, history).apply(found.get(), d, first.proposer().name());
      applied = h.id();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.print(Json.pretty(new Result(found.orElse(null), first.proposer().name(), first.rule(), problems, applied,
          overridesFile == null ? null : overridesFile.toString(), DiagnosisJson.of(d), null, null)));
    } else {
      out.println("failure: " + d.phase() + "/" + d.step() + " " + DiagnosisJson.of(d).failureClass()
          + " signature " + d.signature().substring(0, 12));
      if (found.isPresent()) {
        out.println((first.rule() != null ? "rule " + first.rule() : first.proposer().name()) + ": " + TerminalText.escape(found.get().rationale()));
        out.print(Json.pretty(found.get()));
      }
      problems.forEach(p -> out.println("not applicable: " + TerminalText.escape(p)));
      if (applied != null) out.println("applied " + applied + " to " + overridesFile);
    }
    out.flush();
    return problems.isEmpty() ? ExitCodes.OK : ExitCodes.NEEDS_PERSON;
  }
}
