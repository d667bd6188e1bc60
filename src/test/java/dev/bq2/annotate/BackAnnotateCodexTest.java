package dev.bq2.annotate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.assistant.ModelStub;
import dev.bq2.assistant.ResponsesStub;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.OverridesApplier;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.OwnCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A code builder (the real sh builder script of {@link BackAnnotateCodeBuilderTest}) back-annotated
 * by the real Codex CLI against the local Responses API stub: the stub's first answer is an
 * `exec_command` tool call that edits the builder with sed, which Codex runs in its
 * workspace-write sandbox; once the call's output comes back the stub answers with a final text.
 * Everything goes through `bq2 back-annotate` as a child process.
 */
class BackAnnotateCodexTest {
  @TempDir Path tmp;
  Fixture f;

  @BeforeEach
  void codeBuilderWithProvenOverrides() throws Exception {
    f = new Fixture(tmp);
    Files.writeString(f.repo.resolve("plan.sh"), BackAnnotateCodeBuilderTest.BUILDER);
    f.git("rm", "-q", "plan-spec.json");
    f.git("add", "plan.sh");
    f.git("commit", "-q", "-m", "code builder");
    Fixture.Exec gen = Fixture.exec(List.of("sh", "plan.sh"), f.repo, tmp.resolve("gen.json"));
    assertEquals(0, gen.exit(), gen.out());
    AtomicFile.writeJson(f.layout.plan(), PlanFiles.parsePlan(tmp.resolve("gen.json"), gen.out()));
    f.applyFixes();
    assertEquals(0, f.runner(), Files.readString(tmp.resolve("runner.log")));
  }

  /** The model's edit: an `exec_command` whose sed sets GREETING (to {@code greeting}) and the fix patch in plan.sh. */
  ModelStub.Call sedEdit(String greeting) throws Exception {
    Path sed = tmp.resolve("edit.sed");
    Files.writeString(sed, "s|^GREET_ENV=.*|GREET_ENV='{\"GREETING\": \"" + greeting + "\"}'|\n"
        + "s|^PATCHED_PATCHES=.*|PATCHED_PATCHES=\"[\\\\\"$REPO/patches/patched/fix-input.patch\\\\\"]\"|\n");
    return new ModelStub.Call("exec_command", Json.line(Map.of("cmd", "sed -i -f '" + sed + "' plan.sh")));
  }

  /**
   * `bq2 back-annotate --assistant codex ...` as a child process with its own CODEX_HOME;
   * {@code sandbox} null leaves out --assistant-sandbox.
   */
  Fixture.Exec backAnnotate(ResponsesStub stub, String sandbox) throws Exception {
    Path codex = Path.of("tools/assistants/node_modules/.bin/codex").toAbsolutePath();
    if (!Files.isExecutable(codex)) {
      fail(codex + " is missing: run .ci/install-assistants.sh (npm ci in tools/assistants) to install the real codex CLI");
    }
    List<String> argv = new ArrayList<>(OwnCommand.argv("back-annotate"));
    argv.addAll(List.of("--rootfs", f.rootfs.toString(), "--repo", f.repo.toString(), "--quiet",
        "--assistant", "codex", "--assistant-binary", codex.toString(), "--assistant-timeout", "60s"));
    if (sandbox != null) argv.addAll(List.of("--assistant-sandbox", sandbox));
    for (String c : stub.codexConfig()) argv.add("--assistant-config=" + c);
    argv.addAll(List.of("--plan-command", "sh plan.sh", "--check", "sh -n plan.sh", "--check", "sh plan.sh | grep -q GREETING"));
    Path log = tmp.resolve("back-annotate.log");
    ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("CODEX_HOME", Files.createDirectories(tmp.resolve("codex-home")).toString());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("bq2 back-annotate hung: " + Files.readString(log));
    }
    return new Fixture.Exec(p.exitValue(), Files.readString(log));
  }

  @Test
  void codexEditsTheBuilderThroughItsToolCallAndOneCommitFollows() throws Exception {
    BuildPlan before = PlanFiles.readPlan(f.layout.plan());
    int commits = f.commits();
    Fixture.Exec e;
    List<JsonNode> requests;
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(sedEdit("hello"), new ModelStub.Text("Set GREETING in GREET_ENV and the fix patch in PATCHED_PATCHES of plan.sh."));
      e = backAnnotate(stub, "workspace-write");
      requests = stub.requests();
    }
    assertEquals(0, e.exit(), e.out());
    assertTrue(e.out().contains("codex: Set GREETING in GREET_ENV"), e.out());

    // exactly one new commit, holding the builder edit (and the patch it now names), nothing left over
    assertEquals(commits + 1, f.commits());
    assertEquals("patches/patched/fix-input.patch\nplan.sh\n", f.git("show", "--format=", "--name-only", "HEAD"));
    assertEquals("", f.git("status", "--porcelain"));
    assertTrue(f.git("show", "HEAD", "--", "plan.sh").contains("+GREET_ENV='{\"GREETING\": \"hello\"}'"));
    String msg = f.git("show", "-s", "--format=%B", "HEAD");
    assertTrue(msg.contains("(testarch)") && msg.contains("code builder (codex)"), msg);

    // the regenerated plan (now the rootfs plan) equals the old plan + overrides
    BuildPlan now = PlanFiles.readPlan(f.layout.plan());
    BuildPlan expected = OverridesApplier.apply(before, PatchRelocation.plan(
        PlanFiles.readOverrides(archived("sysroot-build-overrides.json")), f.repo, null).relocated(), null);
    assertEquals(List.of(), JsonDiff.of(expected, now));
    assertEquals("hello", now.phases().get(0).steps().get(0).env().get("GREETING"));

    // overrides, history and state archived into the session folder and removed
    for (Path p : List.of(f.layout.overrides(), f.layout.overridesHistory(), f.layout.state())) {
      assertFalse(Files.exists(p), p + " removed");
      assertTrue(Files.isRegularFile(archived(p.getFileName().toString())), p + " archived");
    }

    // Codex got the back-annotate prompt (it carries the overrides), ran the tool call, then finished
    assertEquals(2, requests.size(), requests.toString());
    String first = requests.get(0).get("input").toString();
    assertTrue(first.contains("GREETING") && first.contains("hello"), first);
    assertTrue(first.contains("greet needs GREETING=hello"), "the rationale from the history went out");
    assertTrue(first.contains("patches/patched/fix-input.patch"), first);
    assertTrue(first.contains("`sandbox_mode` is `workspace-write`"), "Codex was told its sandbox");
    JsonNode output = null;
    for (JsonNode item : requests.get(1).get("input")) {
      if ("function_call_output".equals(item.path("type").asText())) output = item;
    }
    assertTrue(output != null && output.path("output").asText().contains("Process exited with code 0"),
        "the sed ran inside Codex's sandbox and succeeded: " + output);
  }

  /** Without --assistant-sandbox (read-only, right for proposals) the edit still gets workspace-write. */
  @Test
  void aWrongEditByCodexIsRefusedWithExit3AndEverythingIsRestored() throws Exception {
    Map<String, String> repoBefore = f.repoState();
    byte[] overrides = Files.readAllBytes(f.layout.overrides());
    byte[] history = Files.readAllBytes(f.layout.overridesHistory());
    byte[] state = Files.readAllBytes(f.layout.state());
    byte[] plan = Files.readAllBytes(f.layout.plan());
    Fixture.Exec e;
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(sedEdit("bye"), new ModelStub.Text("Done."));
      e = backAnnotate(stub, null);
      assertEquals(2, stub.requests().size(), "Codex did run the edit");
      assertTrue(stub.requests().get(0).get("input").toString().contains("`sandbox_mode` is `workspace-write`"));
    }
    assertEquals(3, e.exit(), e.out());
    assertTrue(e.out().contains("phases[0 p].steps[0 greet].env.GREETING: expected \"hello\", got \"bye\""), e.out());
    assertEquals(repoBefore, f.repoState(), "plan.sh restored, the copied patch removed, HEAD unchanged");
    assertArrayEquals(overrides, Files.readAllBytes(f.layout.overrides()));
    assertArrayEquals(history, Files.readAllBytes(f.layout.overridesHistory()));
    assertArrayEquals(state, Files.readAllBytes(f.layout.state()));
    assertArrayEquals(plan, Files.readAllBytes(f.layout.plan()));
  }

  /** An explicit sandbox reaches Codex as asked; an answer without an edit fails the plan comparison. */
  @Test
  void theAskedSandboxReachesCodexAndNoEditIsNoBackAnnotation() throws Exception {
    Map<String, String> repoBefore = f.repoState();
    byte[] overrides = Files.readAllBytes(f.layout.overrides());
    Fixture.Exec e;
    try (ResponsesStub stub = new ResponsesStub()) {
      stub.then(new ModelStub.Text("Nothing to change."));
      e = backAnnotate(stub, "danger-full-access");
      assertEquals(1, stub.requests().size());
      assertTrue(stub.requests().get(0).get("input").toString().contains("`sandbox_mode` is `danger-full-access`"));
    }
    assertEquals(3, e.exit(), e.out());
    assertTrue(e.out().contains("steps[0 greet].env.GREETING: missing, expected \"hello\""), e.out());
    assertEquals(repoBefore, f.repoState());
    assertArrayEquals(overrides, Files.readAllBytes(f.layout.overrides()));
  }

  private Path archived(String name) throws Exception {
    try (var s = Files.walk(f.repo.resolve("session"))) {
      return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }
}
