package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 3: after the plan is regenerated (the builder rewrites the plan file in place,
 * as `sysroot-plan-write` and `sysroot-builder` do), the runner keeps every completed step whose
 * effective definition is unchanged and reruns exactly the changed ones and the later steps of
 * their phase, saying which and why. Real runner processes, a real configure/make/install build.
 */
class RegeneratedPlanTest {
  @TempDir Path dir;

  /** A hand-written configure that records its run and bakes --with-greeting into the program. */
  static final String CONFIGURE = """
      #!/bin/sh
      greeting=hello
      prefix=/usr/local
      for arg in "$@"; do
        case "$arg" in
          --prefix=*) prefix="${arg#--prefix=}" ;;
          --with-greeting=*) greeting="${arg#--with-greeting=}" ;;
          *) echo "configure: error: unrecognized option: $arg" >&2; exit 1 ;;
        esac
      done
      echo "hello configure $greeting" >> "$TRACE"
      printf 'PREFIX = %s\\nGREETING = %s\\n' "$prefix" "$greeting" > Makefile
      cat Makefile.tmpl >> Makefile
      """;

  static final String MAKEFILE_TMPL = """
      all: hello
      hello: hello.c
      \t$(CC) -DGREETING='"$(GREETING)"' -o hello hello.c
      install: hello
      \tmkdir -p $(DESTDIR)$(PREFIX)/bin
      \tcp hello $(DESTDIR)$(PREFIX)/bin/hello
      clean:
      \trm -f hello
      distclean: clean
      \trm -f Makefile
      """;

  static final String HELLO_C = "#include <stdio.h>\nint main(void) { puts(GREETING); return 0; }\n";

  static String shell(String name, String content) {
    return "{\"name\": \"" + name + "\", \"strategy\": \"shell\", \"workdir\": \"@W@\", \"configure_flags\": [],"
        + " \"patches\": [], \"env\": {}, \"clean_build\": false, \"content\": " + Json.line(content) + "}";
  }

  static String plan(String greeting, boolean withNewStep) {
    String hello = "{\"name\": \"hello\", \"strategy\": \"autotools\", \"workdir\": \"@W@/hello\","
        + " \"configure_flags\": [\"--with-greeting=" + greeting + "\"], \"patches\": [], \"env\": {},"
        + " \"clean_build\": false}";
    String base = "{\"name\": \"base\", \"description\": \"Base\", \"namespace\": \"host\", \"install_prefix\": \"/usr\","
        + " \"destdir\": \"@W@/dest\", \"env\": {\"TRACE\": \"@W@/trace\"}, \"steps\": ["
        + shell("prep", "echo prep >> \"$TRACE\"") + ", " + hello + ", "
        + shell("after-hello", "echo after-hello >> \"$TRACE\"; \"@W@/dest/usr/bin/hello\" >> \"$TRACE\"") + "]}";
    String tools = "{\"name\": \"tools\", \"description\": \"Tools\", \"namespace\": \"host\", \"install_prefix\": \"/usr\","
        + " \"env\": {\"TRACE\": \"@W@/trace\"}, \"steps\": ["
        + shell("t1", "echo t1 >> \"$TRACE\"") + ", "
        + (withNewStep ? shell("t-new", "echo t-new >> \"$TRACE\"") + ", " : "")
        + shell("t2", "echo t2 >> \"$TRACE\"") + "]}";
    return "{\n  \"format_version\": 2,\n  \"phases\": [\n    " + base + ",\n    " + tools + "\n  ]\n}\n";
  }

  private ChildJvm runner(Path root, String name, String... args) throws Exception {
    List<String> a = new java.util.ArrayList<>(List.of("sysroot-runner", "--rootfs", root.toString(), "--no-echo"));
    a.addAll(List.of(args));
    ChildJvm c = ChildJvm.run(root, dir.resolve("out").resolve(name), Duration.ofMinutes(3), a.toArray(String[]::new));
    return c;
  }

  @Test
  void onlyTheChangedStepAndTheLaterStepsOfItsPhaseRerunAndTheNewStepRuns() throws Exception {
    Path root = dir.resolve("rootfs");
    Path w = dir.resolve("w");
    Path src = w.resolve("hello");
    Files.createDirectories(src);
    Files.writeString(src.resolve("hello.c"), HELLO_C);
    Files.writeString(src.resolve("Makefile.tmpl"), MAKEFILE_TMPL);
    Files.writeString(src.resolve("configure"), CONFIGURE);
    Files.setPosixFilePermissions(src.resolve("configure"), PosixFilePermissions.fromString("rwxr-xr-x"));
    RootfsLayout layout = RootfsLayout.of(root);
    Files.createDirectories(layout.plan().getParent());
    Files.writeString(layout.plan(), plan("hi", false).replace("@W@", w.toString()));
    Path trace = w.resolve("trace");

    ChildJvm first = runner(root, "first");
    assertEquals(0, first.exit(), first.toString());
    assertEquals(List.of("prep", "hello configure hi", "after-hello", "hi", "t1", "t2"), Files.readAllLines(trace));
    BuildState before = Json.read(layout.state(), BuildState.class, "test");

    // The builder regenerates the plan: hello's flags changed, a step t-new added to tools.
    // (Written in place, as the existing tool's File.write does.)
    Files.writeString(layout.plan(), plan("bonjour", true).replace("@W@", w.toString()));
    Files.delete(trace);

    ChildJvm dry = runner(root, "dry", "--dry-run");
    assertEquals(0, dry.exit(), dry.toString());
    assertFalse(Files.exists(trace), "a dry run runs nothing");
    assertTrue(dry.stdout().contains("plan changed: base/hello reruns (configure_flags changed)\n"), dry.stdout());

    ChildJvm second = runner(root, "second");
    assertEquals(0, second.exit(), second.toString());
    assertEquals(List.of("hello configure bonjour", "after-hello", "bonjour", "t-new"), Files.readAllLines(trace),
        "exactly hello (flags changed), after-hello (later in its phase) and the new step ran");
    String out = second.stdout();
    assertTrue(out.contains("INFO - plan changed: base/hello reruns (configure_flags changed)\n"), out);
    assertTrue(out.contains("INFO - plan changed: base/after-hello reruns (after base/hello in its phase);"
        + " 3 completed steps kept\n"), out);
    assertEquals(2, out.lines().filter(l -> l.contains("plan changed:")).count(), out);
    for (String kept : List.of("base/prep", "tools/t1", "tools/t2")) {
      assertTrue(out.contains("Skipping previously completed " + kept + "\n"), kept + "\n" + out);
    }
    BuildState after = Json.read(layout.state(), BuildState.class, "test");
    assertNotEquals(before.planDigest(), after.planDigest());
    assertEquals(List.of("prep", "hello", "after-hello"), after.progress().completedSteps().get("base"));
    assertEquals(List.of("t1", "t2", "t-new"), after.progress().completedSteps().get("tools"));
    assertEquals(before.fingerprint("base", "prep"), after.fingerprint("base", "prep"));
    assertNotEquals(before.fingerprint("base", "hello"), after.fingerprint("base", "hello"));

    // Nothing changed since: nothing reruns, no line about it.
    Files.delete(trace);
    ChildJvm third = runner(root, "third", "--accept-plan-change");
    assertEquals(0, third.exit(), third.toString());
    assertFalse(Files.exists(trace), Files.exists(trace) ? Files.readString(trace) : "");
    assertFalse(third.stdout().contains("plan changed"), third.stdout());
  }

  /**
   * A state the existing tool wrote (no fingerprints; its plan digest is of another plan file)
   * keeps its completed steps, as that tool does, with one line saying so.
   */
  @Test
  void aStateWrittenByTheExistingToolKeepsItsCompletedSteps() throws Exception {
    Path fx = Path.of(getClass().getResource("/upstream/plan-x86_64.json").toURI()).getParent();
    Path root = dir.resolve("rootfs");
    RootfsLayout layout = RootfsLayout.of(root);
    Files.createDirectories(layout.plan().getParent());
    Files.copy(fx.resolve("plan-x86_64.json"), layout.plan());
    Files.copy(fx.resolve("state-crystal-midfailure.json"), layout.state());
    byte[] stateBefore = Files.readAllBytes(layout.state());

    ChildJvm dry = runner(root, "dry", "--dry-run");
    assertEquals(0, dry.exit(), dry.toString());
    List<String> lines = dry.stdout().lines().filter(l -> l.contains("plan changed")).toList();
    assertEquals(List.of("plan changed: no completed step's definition changed; 6 completed steps kept (all without a"
        + " fingerprint: the state was written by the existing tool, so they are kept unchecked, as that tool keeps them)"),
        lines.stream().map(l -> l.substring(l.indexOf(" - ") + 3)).toList());
    // The dry run's entries (pretty JSON objects between the log lines): what would run.
    String json = dry.stdout().lines().filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\dT.* (INFO|WARN|ERROR) - .*"))
        .collect(java.util.stream.Collectors.joining("\n"));
    List<String> wouldRun = new java.util.ArrayList<>();
    try (com.fasterxml.jackson.databind.MappingIterator<com.fasterxml.jackson.databind.JsonNode> it =
        Json.MAPPER.readerFor(com.fasterxml.jackson.databind.JsonNode.class).readValues(json)) {
      it.forEachRemaining(n -> wouldRun.add(n.get("phase").get("name").asText() + "/" + n.get("step").get("name").asText()));
    }
    assertEquals("sysroot-from-seed/musl", wouldRun.get(0), "the first pending step, as the existing tool's status says");
    for (String done : List.of("host-setup/download-sources", "host-setup/populate-seed", "host-setup/extract-sources",
        "host-setup/prefetch-shards", "sysroot-from-seed/seed-resolv-conf", "sysroot-from-seed/m4")) {
      assertFalse(wouldRun.contains(done), done + " is completed and would not run: " + wouldRun);
    }
    assertEquals(65 - 6, wouldRun.size(), wouldRun.toString());
    assertArrayEquals(stateBefore, Files.readAllBytes(layout.state()), "a dry run writes nothing");

    TestRootfs.Result status = new TestRootfs(root).status();
    assertEquals(0, status.exit(), status.toString());
    assertTrue(status.out().contains("next_phase=sysroot-from-seed\nnext_step=musl\n"), status.out());
  }
}
