package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.plan.ExtractSpec;
import dev.bq2.runner.StepFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractSourcesStrategyTest {
  @TempDir Path tmp;
  Path sources;

  @BeforeEach
  void archives() throws Exception {
    sources = Files.createDirectories(tmp.resolve("sources"));
    CPackages.autotoolsPackage(tmp.resolve("pkgsrc/hello-1.0"));
    tar("-czf", "hello-1.0.tar.gz");
    tar("-cJf", "hello-1.0.tar.xz");
  }

  void tar(String mode, String name) throws Exception {
    assertEquals(0, new ProcessBuilder("tar", mode, sources.resolve(name).toString(), "-C",
        tmp.resolve("pkgsrc").toString(), "hello-1.0").inheritIO().start().waitFor());
  }

  TestStep step(String strategy, String filename, String buildDirectory) {
    TestStep s = new TestStep(strategy, strategy, tmp);
    s.workdir = null;
    s.sourcesDirectory = sources.toString();
    s.destdir = tmp.resolve("workspace").toString();
    s.extracts = List.of(new ExtractSpec("hello", "1.0", filename, buildDirectory));
    return s;
  }

  LoggingCommandRunner run(TestStep s) throws Exception {
    LoggingCommandRunner cmds = new LoggingCommandRunner(tmp.resolve("step.log"));
    Strategies.find(s.strategy).orElseThrow().execute(s.context(cmds));
    return cmds;
  }

  @Test
  void extractsGzipAndXzArchivesAndTheResultBuilds() throws Exception {
    for (String archive : List.of("hello-1.0.tar.gz", "hello-1.0.tar.xz")) {
      TestStep s = step("extract-sources", archive, "hello-1.0");
      s.destdir = tmp.resolve("ws-" + archive).toString();
      run(s);
      Path extracted = tmp.resolve("ws-" + archive).resolve("hello-1.0");
      assertTrue(Files.isExecutable(extracted.resolve("configure")), archive + " keeps the executable bit");
      // The extracted tree is a buildable package.
      TestStep build = new TestStep("hello", "autotools", extracted);
      build.phasePrefix = tmp.resolve("inst-" + archive).toString();
      Strategies.find("autotools").orElseThrow().execute(build.context(new LoggingCommandRunner(tmp.resolve("b.log"))));
      assertEquals("hello 0", CPackages.run(tmp.resolve("inst-" + archive).resolve("bin/hello")));
    }
  }

  @Test
  void withResumeAnExistingBuildDirectoryIsLeftUntouched() throws Exception {
    TestStep s = step("extract-sources", "hello-1.0.tar.gz", "hello-1.0");
    run(s);
    Path hello = tmp.resolve("workspace/hello-1.0/hello.c");
    Files.writeString(hello, "locally edited");

    LoggingCommandRunner again = run(s);
    assertEquals(List.of(), again.commandLines(), "tar is not run");
    assertEquals("locally edited", Files.readString(hello));
    assertTrue(again.logText().contains("WARN Skipping extraction of"), again.logText());

    s.resume = false;
    run(s);
    assertEquals(CPackages.HELLO_C, Files.readString(hello), "without resume the archive is extracted again");
  }

  @Test
  void defaultsAreTheCacheDirAndTheWorkdir() throws Exception {
    TestStep s = step("extract-sources", "hello-1.0.tar.gz", "hello-1.0");
    s.sourcesDirectory = null;
    s.cacheDir = sources;
    s.destdir = null;
    s.cwd = Files.createDirectories(tmp.resolve("cwd"));
    run(s);
    assertTrue(Files.exists(tmp.resolve("cwd/hello-1.0/hello.c")));
  }

  @Test
  void missingArchiveAndMissingBuildDirectoryAreNamed() throws Exception {
    StepFailedException missing = assertThrows(StepFailedException.class,
        () -> run(step("extract-sources", "nope-2.0.tar.gz", "nope-2.0")));
    assertEquals("Missing source tarball " + sources.resolve("nope-2.0.tar.gz"), missing.getMessage());

    StepFailedException wrongDir = assertThrows(StepFailedException.class,
        () -> run(step("extract-sources", "hello-1.0.tar.gz", "hello-2.0")));
    assertEquals("Expected " + tmp.resolve("workspace/hello-2.0") + " after extracting "
        + sources.resolve("hello-1.0.tar.gz"), wrongDir.getMessage());
  }

  @Test
  void aCorruptArchiveIsACommandFailure() throws Exception {
    Files.writeString(sources.resolve("bad.tar.gz"), "not a tarball");
    StepFailedException e = assertThrows(StepFailedException.class,
        () -> run(step("extract-sources", "bad.tar.gz", "bad")));
    assertEquals("tar", e.command().get(0));
    assertNotEquals(0, e.exitCode());
  }

  @Test
  void populateSeedWithoutBuildDirectoryExtractsEveryTime() throws Exception {
    TestStep s = step("populate-seed", "hello-1.0.tar.gz", null);
    s.destdir = tmp.resolve("seed-rootfs").toString();
    run(s);
    Files.writeString(tmp.resolve("seed-rootfs/hello-1.0/hello.c"), "edited");
    LoggingCommandRunner again = run(s);
    assertEquals(1, again.commandLines().size());
    assertEquals(CPackages.HELLO_C, Files.readString(tmp.resolve("seed-rootfs/hello-1.0/hello.c")));
  }
}
