package dev.bq2.cli;

import dev.bq2.Screen;
import dev.bq2.annotate.BackAnnotator;
import dev.bq2.assistant.AssistantSettings;
import dev.bq2.assistant.BuilderEditor;
import dev.bq2.assistant.PromptBuilder;
import dev.bq2.redact.Redactor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The back-annotation flags shared by `back-annotate` and `iterate --back-annotate`:
 * `@Mixin BackAnnotateOptions annotate;` then {@link #options}.
 */
public class BackAnnotateOptions {
  @Option(names = "--plan-spec", paramLabel = "FILE",
      description = "Plan spec the plan is generated from (default: <repo>/plan-spec.json when it exists; else the repo is a code builder).")
  Path planSpec;

  @Option(names = "--plan-command", paramLabel = "CMD",
      description = "Regenerates the plan (sh -c in the repo; the plan on stdout or in $BQ2_PLAN_OUT). Required for code builders.")
  String planCommand;

  @Option(names = "--check", paramLabel = "CMD",
      description = "A repo check that must pass after the edit (sh -c in the repo; repeatable, run in order).")
  List<String> checks = new ArrayList<>();

  @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture named in the commit (default: the plan's BQ2_ARCH).")
  String arch;

  @Option(names = "--verify-from-scratch",
      description = "Afterwards run the phase(s) again without overrides or state, in the background; exit 1 if that fails.")
  boolean verifyFromScratch;

  @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "30m", converter = Checked.PositiveDuration.class,
      description = "Kill the plan command or a check after this long (e.g. 90s, 30m); default ${DEFAULT-VALUE}.")
  String commandTimeout;

  /** The domain options, with the assistant (for code builders) made from the `--assistant*` flags. */
  BackAnnotator.Options options(Path repo, Path sessionsDir, AssistantOptions assistant, PrintStream out) {
    BackAnnotator.CodeEditor editor = assistant == null ? null : editor(assistant, repo);
    return new BackAnnotator.Options(repo, planSpec, planCommand, checks, arch, sessionsDir, verifyFromScratch,
        AssistantOptions.duration("--command-timeout", commandTimeout), editor, null, out, Screen.stdout().terminal());
  }

  /** The assistant that edits a code builder; null for `rules` (and `auto` with none on PATH). */
  static BackAnnotator.CodeEditor editor(AssistantOptions a, Path repo) {
    String name = a.chosen("prompt on stdin; it edits the repo in its cwd").orElse(null);
    if (name == null) return null;
    String exe = a.executable() != null ? a.executable() : name;
    AssistantSettings s = new AssistantSettings(repo, exe, a.commandArgv(), AssistantOptions.duration(a.timeout),
        a.sandbox, a.config, a.args, Map.of(), null, a.budget(),
        new PromptBuilder(PromptBuilder.defaultDirs(repo), Redactor.forProcessEnv()), null);
    String chosen = name;
    return new BackAnnotator.CodeEditor() {
      @Override
      public String name() {
        return chosen;
      }

      @Override
      public BuilderEditor.Result edit(String prompt, Path repoDir) throws InterruptedException {
        return BuilderEditor.edit(chosen, s, prompt, repoDir);
      }
    };
  }
}
