package dev.bq2.annotate;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.assistant.BuilderEditor;
import dev.bq2.assistant.PromptBuilder;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.Overrides;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.supervise.AutopilotLock;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.SupervisedRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Back-annotation (issue 5): folds the proven overrides into the builder, proves the builder now
 * generates the old plan with the overrides applied, runs the repo's checks, and only then
 * replaces the plan, commits once, and archives the overrides, history and state so the next run
 * starts from scratch. Until the commit, nothing outside the repo is written, and any failure
 * puts the repo back as it was ({@link RepoSnapshot}): overrides and state are never at risk.
 */
public final class BackAnnotator {
  /** Edits a code builder (an assistant); {@link #name()} goes into the journal and commit. */
  public interface CodeEditor {
    String name();

    BuilderEditor.Result edit(String prompt, Path repo) throws InterruptedException;
  }

  /**
   * @param repo builder repo (null: the context's)
   * @param planSpec plan spec (null: `<repo>/plan-spec.json` when it exists, else a code builder)
   * @param planCommand regenerates the plan (required for code builders; optional for specs)
   * @param sessionsDir session folders (null: `<repo>/session`, as `iterate`)
   * @param editor the assistant for code builders (null: none; a code builder is then refused)
   */
  public record Options(Path repo, Path planSpec, String planCommand, List<String> checks, String arch,
      Path sessionsDir, boolean verifyFromScratch, Duration commandTimeout, CodeEditor editor,
      PromptBuilder prompts, PrintStream out, boolean terminal) {
    public Options {
      checks = checks == null ? List.of() : List.copyOf(checks);
      commandTimeout = commandTimeout == null ? Duration.ofMinutes(30) : commandTimeout;
    }
  }

  /** Exit 0 done (and reproduced, when asked), 1 not reproduced from scratch, 2 refused, 3 verification failed. */
  public record Result(int exitCode, String reason, String commit, Path archive) {}

  /** What was done, kept in the archive folder as `back-annotate.json`. */
  @JsonPropertyOrder({"time", "builder", "phases", "arch", "commit", "files", "checks", "plan_archived",
      "archived", "reproduced"})
  public record Record(String time, String builder, List<String> phases, String arch, String commit,
      List<String> files, List<String> checks, String planArchived, List<String> archived, Boolean reproduced) {}

  private final Options opt;
  private final PrintStream out;

  public BackAnnotator(Options opt) {
    this.opt = opt;
    this.out = opt.out();
  }

  public Result run(Context ctx) throws InterruptedException {
    RootfsLayout layout = ctx.layout();
    Result r;
    try (AutopilotLock lock = AutopilotLock.acquire(layout.logDir())) {
      r = annotate(ctx, layout);
    }
    if (r.exitCode() != ExitCodes.OK || !opt.verifyFromScratch() || r.commit() == null && r.archive() == null) return r;
    return fromScratch(ctx, r);
  }

  private Result annotate(Context ctx, RootfsLayout layout) throws InterruptedException {
    Optional<SupervisedRun> running = BackgroundRunner.forRootfs(layout).attach()
        .filter(run -> run.state() == SupervisedRun.State.RUNNING);
    if (running.isPresent()) {
      throw Bq2Exception.badInput("a runner is still running for phase " + running.get().record().phase() + " (pid "
          + running.get().record().pid() + "); wait for it (bq2 iterate attaches to it), then back-annotate");
    }
    Completion.Proven proven = Completion.check(layout);
    if (proven.overrides().isEmpty()) {
      say("no overrides in force in " + layout.overrides() + ": nothing to back-annotate");
      return new Result(ExitCodes.OK, "nothing to back-annotate", null, null);
    }
    Path repoDir = opt.repo() != null ? opt.repo() : ctx.repo();
    if (repoDir == null) {
      throw Bq2Exception.badInput("no builder repo found to back-annotate into; pass --repo DIR (a git checkout of the builder)");
    }
    GitRepo git = GitRepo.at(repoDir);
    Path specFile = specFile(git);
    boolean isSpec = specFile != null;
    if (!isSpec && opt.planCommand() == null) {
      throw Bq2Exception.badInput(git.root() + ": no plan-spec.json, so this is a code builder: pass --plan-command CMD "
          + "(prints or writes to $BQ2_PLAN_OUT the plan the builder generates) and an --assistant to edit it; or --plan-spec FILE");
    }
    if (!isSpec && opt.editor() == null) {
      throw Bq2Exception.badInput(git.root() + ": a code builder is edited by an assistant; pass --assistant codex|claude|command "
          + "(with --assistant-command CMD for command)");
    }
    String arch = arch(proven);
    Path sessions = opt.sessionsDir() != null ? opt.sessionsDir().toAbsolutePath() : git.root().resolve("session");
    PatchRelocation patches = PatchRelocation.plan(proven.overrides(), git.root(), layout.overrides());

    List<String> wouldTouch = new ArrayList<>();
    if (isSpec) {
      wouldTouch.add(git.root().relativize(specFile).toString());
      wouldTouch.addAll(patches.targets());
    }
    Set<String> dirty = isSpec ? git.dirty(wouldTouch) : trackedChanges(git, sessions);
    if (!dirty.isEmpty()) {
      throw Bq2Exception.badInput(git.root() + ": uncommitted changes to " + String.join(", ", dirty)
          + (isSpec ? ", which back-annotation would change" : " (a code builder's edit may touch any tracked file)")
          + "; commit or stash them first");
    }

    say("back-annotating " + OverridesText.changes(proven.overrides()).size() + " override entr(ies) of phase(s) "
        + String.join(", ", proven.phases()) + " (" + arch + ") into " + (isSpec ? specFile : git.root() + " (code builder, "
        + opt.editor().name() + ")"));
    Path archive = Sessions.archiveDir(sessions);
    RepoSnapshot snapshot = RepoSnapshot.take(git, sessions);
    Overrides relocated = patches.relocated();
    // The plan as proven: a builder that writes its plan into the rootfs (upstream's
    // sysroot-plan-write), run by the assistant or as the plan command, must not change it
    // before the commit.
    byte[] planBytes = readBytes(layout.plan());
    BuildPlan expected = OverridesApplier.apply(proven.plan(), relocated, layout.overrides());
    AtomicFile.writeJson(archive.resolve("expected-plan.json"), expected);
    BuildPlan regenerated;
    List<RepoCommands.CheckResult> checks = new ArrayList<>();
    String commit;
    List<String> files;
    Path planArchive = archive.resolve("sysroot-build-plan.json");
    try {
      patches.apply();
      if (isSpec) {
        PlanSpec merged = SpecMerge.merge(specFile, relocated, git.root(), !patches.moves().isEmpty());
        merged.write(specFile);
        say("merged the overrides into " + specFile);
      } else {
        String prompt = prompt(git, relocated, Provenance.read(layout.overridesHistory()), patches, arch,
            archive.resolve("expected-plan.json"));
        Files.writeString(archive.resolve("prompt.md"), prompt);
        say("asking " + opt.editor().name() + " to edit the builder (prompt " + archive.resolve("prompt.md") + ")");
        BuilderEditor.Result edit = opt.editor().edit(prompt, git.root());
        if (!edit.done()) throw RepoCommands.verification(opt.editor().name() + " did not finish the edit: " + edit.message());
        say(opt.editor().name() + ": " + oneLine(edit.message()));
      }
      List<String> edited = snapshot.changed();
      putPlanBack(layout, planBytes);
      regenerated = opt.planCommand() != null
          ? RepoCommands.plan(opt.planCommand(), git.root(), opt.commandTimeout(), archive, layout.plan())
          : PlanSpec.read(specFile).generate(specFile);
      AtomicFile.writeJson(archive.resolve("regenerated-plan.json"), regenerated);
      List<String> diff = JsonDiff.of(expected, regenerated);
      if (!diff.isEmpty()) {
        Files.writeString(archive.resolve("plan-diff.txt"), String.join("\n", diff) + "\n");
        throw RepoCommands.verification("the regenerated plan differs from the plan with the overrides applied at "
            + diff.size() + " path(s) (expected: " + archive.resolve("expected-plan.json") + "):\n  "
            + String.join("\n  ", diff.subList(0, Math.min(diff.size(), 40))));
      }
      say("verified: the regenerated plan equals the plan with the overrides applied");
      int n = 0;
      for (String c : opt.checks()) {
        RepoCommands.CheckResult cr = RepoCommands.check(c, git.root(), opt.commandTimeout(),
            archive.resolve("checks").resolve(String.format("%02d.log", ++n)));
        checks.add(cr);
        if (!cr.ok()) {
          throw RepoCommands.verification("check `" + c + "` " + (cr.timedOut() ? "timed out" : "failed (exit " + cr.exitCode() + ")")
              + "; log " + cr.log() + (cr.tail().isBlank() ? "" : ":\n  " + cr.tail().replace("\n", "\n  ")));
        }
        say("check passed: " + c);
      }
      files = snapshot.changed();
      List<String> strays = files.stream().filter(p -> !edited.contains(p)).toList();
      if (!strays.isEmpty()) {
        // The commit holds the back-annotation only: a formatter that rewrites untouched files
        // (e.g. another version's style) or build outputs that are not ignored would ride along.
        throw RepoCommands.verification("the plan command or a check changed " + String.join(", ", strays)
            + ", which the edit did not touch, so the commit would not be the back-annotation alone; "
            + "add build outputs to .gitignore, run formatters on the edited files only (or commit their "
            + "changes first), then back-annotate again");
      }
      putPlanBack(layout, planBytes);
      Files.write(planArchive, planBytes);
      AtomicFile.writeJson(layout.plan(), regenerated);
      say("replaced " + layout.plan() + " (previous plan archived as " + planArchive + ")");
      if (files.isEmpty()) {
        commit = null;
        say("the builder already generates this plan: nothing to commit");
      } else {
        commit = git.commit(files, CommitMessage.of(proven, relocated, arch, Provenance.read(layout.overridesHistory()),
            opt.checks(), summaries(sessions, proven.phases()), isSpec ? "plan spec " + git.root().relativize(specFile)
                : "code builder (" + opt.editor().name() + ")"));
        say("committed " + commit.substring(0, 12) + " (" + String.join(", ", files) + ")");
      }
    } catch (Exception e) {
      undo(snapshot, planBytes, layout);
      say("nothing changed: the repo is back at " + snapshot.head().substring(0, 12) + "; overrides and state untouched");
      if (e instanceof Bq2Exception b && b.exitCode() == ExitCodes.NEEDS_PERSON) {
        say("back-annotation failed: " + b.getMessage());
        say("details in " + archive);
        return new Result(ExitCodes.NEEDS_PERSON, b.getMessage(), null, archive);
      }
      if (e instanceof InterruptedException ie) throw ie;
      if (e instanceof RuntimeException re) throw re;
      throw new UncheckedIOException((IOException) e);
    }

    List<String> archived = new ArrayList<>();
    for (Path f : List.of(layout.overrides(), layout.overridesHistory(), layout.state())) {
      if (!Files.exists(f)) continue;
      try {
        Files.copy(f, archive.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Files.delete(f);
      } catch (IOException e) {
        throw new UncheckedIOException("committed " + commit + ", but cannot archive " + f + " into " + archive
            + "; move it there by hand", e);
      }
      archived.add(archive.resolve(f.getFileName()).toString());
    }
    say("archived and removed the overrides, history and state (" + archive + "): the next run starts from scratch");
    AtomicFile.writeJson(archive.resolve("back-annotate.json"), new Record(Instant.now().toString(),
        isSpec ? "plan-spec" : "code", proven.phases(), arch, commit, files, opt.checks(), planArchive.toString(), archived, null));
    return new Result(ExitCodes.OK, "back-annotated " + String.join(", ", proven.phases()), commit, archive);
  }

  private void undo(RepoSnapshot snapshot, byte[] planBytes, RootfsLayout layout) {
    snapshot.restore();
    putPlanBack(layout, planBytes);
  }

  /** Puts the proven plan's bytes back when anything (a commit that failed, the builder itself) changed the file. */
  private static void putPlanBack(RootfsLayout layout, byte[] planBytes) {
    if (Arrays.equals(readBytes(layout.plan()), planBytes)) return;
    AtomicFile.write(layout.plan(), planBytes);
  }

  private static byte[] readBytes(Path f) {
    try {
      return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  /** Runs the back-annotated phases again with no state and no overrides, supervised like the autopilot. */
  private Result fromScratch(Context ctx, Result annotated) throws InterruptedException {
    BuildPlan plan = dev.bq2.plan.PlanFiles.readPlan(ctx.layout().plan());
    Record rec = Json.read(annotated.archive().resolve("back-annotate.json"), Record.class, "it is written by bq2");
    FromScratch.Outcome o = new FromScratch(ctx, out, opt.terminal()).run(plan.phaseNames().stream()
        .filter(rec.phases()::contains).toList());
    AtomicFile.writeJson(annotated.archive().resolve("back-annotate.json"), new Record(rec.time(), rec.builder(),
        rec.phases(), rec.arch(), rec.commit(), rec.files(), rec.checks(), rec.planArchived(), rec.archived(), o.reproduced()));
    say(o.reproduced() ? "reproduced: phase(s) " + String.join(", ", rec.phases()) + " complete from scratch without overrides"
        : "NOT reproduced: " + o.detail());
    return new Result(o.reproduced() ? ExitCodes.OK : ExitCodes.STEP_FAILED, o.detail(), annotated.commit(), annotated.archive());
  }

  private Path specFile(GitRepo git) {
    if (opt.planSpec() != null) {
      Path p = opt.planSpec().toAbsolutePath().normalize();
      if (!Files.isRegularFile(p)) throw Bq2Exception.badInput("--plan-spec " + p + ": file not found");
      if (!p.startsWith(git.root())) {
        throw Bq2Exception.badInput("--plan-spec " + p + ": not inside the builder repo " + git.root() + "; pass --repo");
      }
      return p;
    }
    Path dflt = git.root().resolve("plan-spec.json");
    return Files.isRegularFile(dflt) ? dflt : null;
  }

  /** Tracked files with changes (untracked files are not the builder's; the session folders never count). */
  private static Set<String> trackedChanges(GitRepo git, Path sessions) {
    Set<String> out = new LinkedHashSet<>();
    for (String p : git.dirty(List.of())) {
      if (git.tracked(p) || !Files.exists(git.root().resolve(p))) out.add(p);
    }
    Path s = sessions.toAbsolutePath().normalize();
    if (s.startsWith(git.root())) {
      String prefix = git.root().relativize(s) + "/";
      out.removeIf(p -> (p + "/").startsWith(prefix));
    }
    return out;
  }

  /** `--arch`, else the `BQ2_ARCH` of the touched phases in the resolved plan. */
  private String arch(Completion.Proven proven) {
    if (opt.arch() != null && !opt.arch().isBlank()) return opt.arch();
    Set<String> found = new LinkedHashSet<>();
    for (String p : proven.phases()) {
      String a = proven.resolved().phase(p).orElseThrow().env().get("BQ2_ARCH");
      if (a != null) found.add(a);
    }
    if (found.isEmpty()) {
      throw Bq2Exception.badInput("the plan names no architecture (no BQ2_ARCH in the env of phase(s) "
          + String.join(", ", proven.phases()) + "); pass --arch ARCH so the commit says which architecture changed");
    }
    return String.join(", ", found);
  }

  private String prompt(GitRepo git, Overrides relocated, Provenance prov, PatchRelocation patches, String arch,
      Path expectedPlan) {
    PromptBuilder pb = opt.prompts() != null ? opt.prompts() : new PromptBuilder(PromptBuilder.defaultDirs(git.root()),
        dev.bq2.redact.Redactor.forProcessEnv());
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("repo", git.root().toString());
    fields.put("arch", arch);
    fields.put("overrides_json", "```json\n" + Json.pretty(relocated).strip() + "\n```");
    fields.put("changes", changes(relocated, prov));
    fields.put("patches", patches.moves().isEmpty() ? "(none to place: every patch named is already in the repo, or none is)"
        : String.join("\n", patches.moves().stream().map(m -> "- " + m.phase() + "/" + m.step() + ": copied from "
            + m.from() + " to `" + m.to() + "` (already in place; reference it from there)").toList()));
    fields.put("plan_command", opt.planCommand());
    fields.put("expected_plan", expectedPlan.toString());
    fields.put("checks", opt.checks().isEmpty() ? "(none given)"
        : String.join("\n", opt.checks().stream().map(c -> "   - `" + c + "`").toList()));
    return pb.render(pb.template("back-annotate.md").text(), fields);
  }

  static String changes(Overrides o, Provenance prov) {
    List<String> lines = new ArrayList<>();
    for (OverridesText.Change c : OverridesText.changes(o)) {
      lines.add("- " + c.line());
      for (Provenance.Delta d : prov.inForce(c.phase(), c.step())) {
        lines.add("  - why (" + Objects.requireNonNullElse(d.proposer(), "?") + "): "
            + oneLine(Objects.requireNonNullElse(d.rationale(), "(no rationale recorded)")));
      }
    }
    return String.join("\n", lines);
  }

  /** For each touched phase, the newest session's summary (newest session first when there is none per phase). */
  private static List<Sessions.Summary> summaries(Path sessions, List<String> phases) {
    List<Sessions.Summary> out = new ArrayList<>();
    Set<Path> seen = new LinkedHashSet<>();
    for (String p : phases) {
      Sessions.newestFor(sessions, p).filter(seen::add)
          .ifPresent(s -> Sessions.summary(s).ifPresent(text -> out.add(new Sessions.Summary(s, text))));
    }
    if (out.isEmpty()) {
      Sessions.list(sessions).stream().findFirst()
          .ifPresent(s -> Sessions.summary(s).ifPresent(text -> out.add(new Sessions.Summary(s, text))));
    }
    return out;
  }

  static String oneLine(String s) {
    String t = s == null ? "" : s.strip().replace('\n', ' ');
    return t.length() > 300 ? t.substring(0, 300) + "…" : t;
  }

  private void say(String line) {
    out.println("back-annotate: " + line);
    out.flush();
  }
}
