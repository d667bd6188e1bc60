package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.assistant.AssistantSettings;
import dev.bq2.assistant.BuilderEditor;
import dev.bq2.assistant.PromptBuilder;
import dev.bq2.redact.Redactor;
import dev.bq2.json.AtomicFile;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A code builder (a real sh script printing the plan JSON) back-annotated by a command
 * assistant (a real script that edits the builder with sed), verified with --plan-command.
 */
class BackAnnotateCodeBuilderTest {
  @TempDir Path tmp;
  Fixture f;

  static final String BUILDER = """
      #!/bin/sh
      # Tiny code builder: prints the build plan.
      REPO=$(cd "$(dirname "$0")" && pwd)
      ROOTFS=$(cd "$REPO/../rootfs" && pwd)
      GREET_ENV='{}'
      PATCHED_PATCHES='[]'
      cat <<EOF
      {"format_version": 2, "phases": [{"name": "p", "description": "Test phase", "namespace": "host",
       "install_prefix": "/usr", "env": {"BQ2_ARCH": "testarch"}, "steps": [
       {"name": "greet", "strategy": "shell", "workdir": "$ROOTFS/work", "configure_flags": [], "patches": [],
        "env": $GREET_ENV, "clean_build": false, "content": "test \\"\\$GREETING\\" = hello; echo \\"\\$GREETING\\" > greeting.txt"},
       {"name": "patched", "strategy": "shell", "workdir": "$ROOTFS/work", "configure_flags": [], "patches": $PATCHED_PATCHES,
        "env": {}, "clean_build": false, "content": "grep -q fixed input.txt"},
       {"name": "done", "strategy": "shell", "workdir": "$ROOTFS/work", "configure_flags": [], "patches": [],
        "env": {}, "clean_build": false, "content": "true"}
      ]}]}
      EOF
      """;

  @BeforeEach
  void codeBuilderWithProvenOverrides() throws Exception {
    f = new Fixture(tmp);
    Files.writeString(f.repo.resolve("plan.sh"), BUILDER);
    f.git("rm", "-q", "plan-spec.json");
    f.git("add", "plan.sh");
    f.git("commit", "-q", "-m", "code builder");
    Fixture.Exec gen = Fixture.exec(List.of("sh", "plan.sh"), f.repo, tmp.resolve("gen.json"));
    assertEquals(0, gen.exit(), gen.out());
    AtomicFile.writeJson(f.layout.plan(), PlanFiles.parsePlan(tmp.resolve("gen.json"), gen.out()));
    f.applyFixes();
    assertEquals(0, f.runner(), Files.readString(tmp.resolve("runner.log")));
  }

  /** An "assistant": keeps the prompt it got, edits plan.sh with sed, maybe leaves a stray file. */
  Path assistant(String greeting, boolean strayFile) throws Exception {
    Path sed = tmp.resolve("edit.sed");
    Files.writeString(sed, "s|^GREET_ENV=.*|GREET_ENV='{\"GREETING\": \"" + greeting + "\"}'|\n"
        + "s|^PATCHED_PATCHES=.*|PATCHED_PATCHES=\"[\\\\\"$REPO/patches/patched/fix-input.patch\\\\\"]\"|\n");
    Path script = tmp.resolve("assistant.sh");
    Files.writeString(script, "#!/bin/sh\ncat > '" + tmp.resolve("prompt.md") + "'\n"
        + "sed -i -f '" + sed + "' plan.sh\n"
        + (strayFile ? "echo scratch > notes.txt\n" : "")
        + "echo 'Set GREETING in GREET_ENV and the fix patch in PATCHED_PATCHES of plan.sh.'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  @Test
  void commandAssistantEditsTheBuilderThroughTheCli() throws Exception {
    BuildPlan before = PlanFiles.readPlan(f.layout.plan());
    int commits = f.commits();
    Fixture.Exec e = f.bq2("back-annotate", "--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet",
        "--assistant", "command", "--assistant-command", assistant("hello", false).toString(),
        "--plan-command", "sh plan.sh", "--check", "sh -n plan.sh", "--check", "sh plan.sh | grep -q GREETING");
    assertEquals(0, e.exit(), e.out());
    assertEquals(commits + 1, f.commits());
    assertEquals("patches/patched/fix-input.patch\nplan.sh\n", f.git("show", "--format=", "--name-only", "HEAD"));
    assertEquals("", f.git("status", "--porcelain"));
    assertTrue(f.git("show", "HEAD", "--", "plan.sh").contains("+GREET_ENV='{\"GREETING\": \"hello\"}'"));

    // the plan now comes from the edited builder and equals the old plan + overrides (patch in the repo)
    BuildPlan now = PlanFiles.readPlan(f.layout.plan());
    assertEquals(List.of("hello"), List.of(now.phases().get(0).steps().get(0).env().get("GREETING")));
    assertEquals(List.of(f.repo.resolve("patches/patched/fix-input.patch").toString()), now.phases().get(0).steps().get(1).patches());
    BuildPlan expectedBefore = OverridesApplier.apply(before, PatchRelocation.plan(
        PlanFiles.readOverrides(archived("sysroot-build-overrides.json")), f.repo, null).relocated(), null);
    assertEquals(List.of(), JsonDiff.of(expectedBefore, now));
    assertFalse(Files.exists(f.layout.overrides()));
    assertFalse(Files.exists(f.layout.state()));

    // what the assistant was told: the overrides, why, where each kind belongs, the checks, the target
    String prompt = Files.readString(tmp.resolve("prompt.md"));
    assertTrue(prompt.matches("(?s).*\"GREETING\" ?: \"hello\".*"), prompt);
    assertTrue(prompt.contains("why (rules): greet needs GREETING=hello"), prompt);
    assertTrue(prompt.contains("`PhaseSpec.env_overrides[pkg]`"), prompt);
    assertTrue(prompt.contains("`patches/patched/fix-input.patch`"), prompt);
    assertTrue(prompt.contains("- `sh -n plan.sh`"), prompt);
    assertTrue(prompt.contains("`sh plan.sh`"), prompt);
    assertTrue(prompt.contains("expected-plan.json"), prompt);
    String msg = f.git("show", "-s", "--format=%B", "HEAD");
    assertTrue(msg.contains("(testarch)") && msg.contains("code builder (command)"), msg);
  }

  @Test
  void aWrongEditIsShownAsAPlanDifferenceAndUndone() throws Exception {
    Map<String, String> repoBefore = f.repoState();
    byte[] overrides = Files.readAllBytes(f.layout.overrides());
    byte[] state = Files.readAllBytes(f.layout.state());
    byte[] plan = Files.readAllBytes(f.layout.plan());
    Path script = assistant("bye", true);
    AssistantSettings s = new AssistantSettings(f.repo, null, List.of(script.toString()), Duration.ofSeconds(60), null,
        List.of(), List.of(), Map.of(), null, null, new PromptBuilder(List.of(), new Redactor(Map.of())), null);
    BackAnnotator.CodeEditor editor = new BackAnnotator.CodeEditor() {
      @Override
      public String name() {
        return "command";
      }

      @Override
      public BuilderEditor.Result edit(String prompt, Path repo) throws InterruptedException {
        return BuilderEditor.edit("command", s, prompt, repo);
      }
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Context ctx = new ContextDetector().rootfs(f.rootfs).repo(f.repo).detect();
    BackAnnotator.Result r = new BackAnnotator(new BackAnnotator.Options(f.repo, null, "sh plan.sh", List.of("true"), null,
        null, false, null, editor, null, new PrintStream(out, true), false)).run(ctx);
    assertEquals(3, r.exitCode(), out.toString());
    assertTrue(out.toString().contains("phases[0 p].steps[0 greet].env.GREETING: expected \"hello\", got \"bye\""), out.toString());
    assertTrue(Files.readString(r.archive().resolve("plan-diff.txt")).contains("env.GREETING"));
    assertEquals(repoBefore, f.repoState(), "plan.sh restored, notes.txt and the copied patch removed");
    assertArrayEquals(overrides, Files.readAllBytes(f.layout.overrides()));
    assertArrayEquals(state, Files.readAllBytes(f.layout.state()));
    assertArrayEquals(plan, Files.readAllBytes(f.layout.plan()));
  }

  /**
   * A builder that, like upstream's `sysroot-plan-write`, writes the plan into the rootfs's own plan
   * file and logs to stdout; the assistant runs it too while checking its edit. The plan is taken
   * from the file, and the rootfs plan changes only at the commit (the archived plan is the proven one).
   */
  @Test
  void aPlanWriterThatRewritesTheRootfsPlanIsReadFromThereAndTheProvenPlanArchived() throws Exception {
    byte[] proven = Files.readAllBytes(f.layout.plan());
    BuildPlan before = PlanFiles.readPlan(f.layout.plan());
    String planWrite = "sh plan.sh > '" + f.layout.plan() + "' && echo 'INFO - Wrote build plan at " + f.layout.plan() + "'";
    Path script = assistant("hello", false);
    Files.writeString(script, Files.readString(script).replace("echo 'Set", planWrite + " >/dev/null\necho 'Set"));
    int commits = f.commits();
    Fixture.Exec e = f.bq2("back-annotate", "--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet",
        "--assistant", "command", "--assistant-command", script.toString(), "--plan-command", planWrite);
    assertEquals(0, e.exit(), e.out());
    assertEquals(commits + 1, f.commits());
    assertEquals("", f.git("status", "--porcelain"));
    assertArrayEquals(proven, Files.readAllBytes(archived("sysroot-build-plan.json")));
    BuildPlan expected = OverridesApplier.apply(before, PatchRelocation.plan(
        PlanFiles.readOverrides(archived("sysroot-build-overrides.json")), f.repo, null).relocated(), null);
    assertEquals(List.of(), JsonDiff.of(expected, PlanFiles.readPlan(f.layout.plan())));
  }

  @Test
  void aWrongPlanWrittenIntoTheRootfsIsPutBack() throws Exception {
    Map<String, String> repoBefore = f.repoState();
    byte[] plan = Files.readAllBytes(f.layout.plan());
    byte[] state = Files.readAllBytes(f.layout.state());
    Fixture.Exec e = f.bq2("back-annotate", "--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet",
        "--assistant", "command", "--assistant-command", assistant("bye", false).toString(),
        "--plan-command", "sh plan.sh > '" + f.layout.plan() + "' && echo 'INFO - Wrote build plan'");
    assertEquals(3, e.exit(), e.out());
    assertTrue(e.out().contains("env.GREETING: expected \"hello\", got \"bye\""), e.out());
    assertArrayEquals(plan, Files.readAllBytes(f.layout.plan()));
    assertArrayEquals(state, Files.readAllBytes(f.layout.state()));
    assertEquals(repoBefore, f.repoState());
  }

  /** A check that rewrites a file the edit did not touch (a formatter of another version) or leaves a build output. */
  @Test
  void aCheckThatChangesFilesTheEditDidNotTouchFailsAndIsUndone() throws Exception {
    Files.writeString(f.repo.resolve("README"), "builder\n");
    f.git("add", "README");
    f.git("commit", "-q", "-m", "readme");
    Map<String, String> repoBefore = f.repoState();
    byte[] plan = Files.readAllBytes(f.layout.plan());
    byte[] overrides = Files.readAllBytes(f.layout.overrides());
    int commits = f.commits();
    for (String check : List.of("echo restyled > README", "mkdir -p out && echo obj > out/plan.o")) {
      Fixture.Exec e = f.bq2("back-annotate", "--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet",
          "--assistant", "command", "--assistant-command", assistant("hello", false).toString(),
          "--plan-command", "sh plan.sh", "--check", check);
      assertEquals(3, e.exit(), e.out());
      String stray = check.startsWith("echo") ? "README" : "out/plan.o";
      assertTrue(e.out().contains("changed " + stray + ", which the edit did not touch"), e.out());
      assertEquals(commits, f.commits());
      assertEquals(repoBefore, f.repoState(), check);
      assertArrayEquals(plan, Files.readAllBytes(f.layout.plan()));
      assertArrayEquals(overrides, Files.readAllBytes(f.layout.overrides()));
    }
  }

  @Test
  void aCodeBuilderWithoutPlanCommandIsRefused() throws Exception {
    Fixture.Exec e = f.bq2("back-annotate", "--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet",
        "--assistant", "command", "--assistant-command", assistant("hello", false).toString());
    assertEquals(2, e.exit(), e.out());
    assertTrue(e.out().contains("no plan-spec.json, so this is a code builder: pass --plan-command CMD"), e.out());
  }

  private Path archived(String name) throws Exception {
    try (var s = Files.walk(f.repo.resolve("session"))) {
      return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }
}
