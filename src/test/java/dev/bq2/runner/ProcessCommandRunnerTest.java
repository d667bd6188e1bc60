package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.supervise.ProcStat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step command runner with real processes: logging, echo, env, prefix, group stop. */
class ProcessCommandRunnerTest {
  @TempDir Path dir;
  final StringWriter console = new StringWriter();
  final RunLog log = new RunLog(new PrintWriter(console, true));

  ProcessCommandRunner runner(boolean echo, Interrupts interrupts, List<String> prefix) {
    return new ProcessCommandRunner(dir.resolve("logs/step.log"), "p/s", echo, log, interrupts, prefix,
        Duration.ofSeconds(5));
  }

  @Test
  void mergesOutputInOrderAndNotesStartAndFinish() throws Exception {
    try (ProcessCommandRunner r = runner(false, Interrupts.none(), List.of())) {
      r.run(List.of("/bin/sh", "-c", "echo one; echo two >&2; echo three"), dir, Map.of("PATH", "/usr/bin:/bin"));
      String text = Files.readString(r.logFile());
      assertTrue(text.contains("Running in " + dir + ": /bin/sh -c echo one; echo two >&2; echo three\none\ntwo\nthree\nFinished in "),
          text);
      assertTrue(text.contains("s (exit=0): /bin/sh -c"), text);
      assertFalse(console.toString().contains("[p/s]"), "no echo without a terminal");
    }
  }

  @Test
  void aFailureCarriesWhereItsOwnOutputBeginsWithAndWithoutEcho() throws Exception {
    for (boolean echo : new boolean[] {false, true}) {
      Path logFile = dir.resolve("logs/offset-" + echo + ".log");
      try (ProcessCommandRunner r = new ProcessCommandRunner(logFile, "p/s", echo, log, Interrupts.none(), List.of(),
          Duration.ofSeconds(5))) {
        assertEquals(2, r.runTolerant(List.of("/bin/sh", "-c", "echo tolerated failure; exit 2"), dir, Map.of()));
        StepFailedException e = assertThrows(StepFailedException.class,
            () -> r.run(List.of("/bin/sh", "-c", "echo own output; exit 3"), dir, Map.of()));
        r.note("Step failed: " + e.getMessage());
        String text = Files.readString(logFile);
        assertNotNull(e.outputOffset());
        String from = text.substring(e.outputOffset().intValue());
        assertTrue(from.startsWith("own output\nFinished in "), echo + ": " + from);
        assertFalse(from.contains("tolerated"), from);
        assertTrue(LogTail.last(logFile, 60, e.outputOffset()).get(0).equals("own output"), from);
        assertEquals("tolerated failure", LogTail.last(logFile, 60).stream().filter(l -> l.startsWith("tolerated")).findFirst()
            .orElseThrow());
      }
    }
  }

  @Test
  void echoPrefixesEachLineAndStillLogs() throws Exception {
    try (ProcessCommandRunner r = runner(true, Interrupts.none(), List.of())) {
      r.run(List.of("/bin/sh", "-c", "printf 'a\\nb\\npartial'"), dir, Map.of());
      assertTrue(console.toString().contains("[p/s] a\n[p/s] b\n[p/s] partial\n"), console.toString());
      assertTrue(Files.readString(r.logFile()).contains("a\nb\npartial"));
    }
  }

  @Test
  void failureCarriesArgvAndExitAndTolerantReturnsIt() throws Exception {
    try (ProcessCommandRunner r = runner(false, Interrupts.none(), List.of())) {
      StepFailedException e = assertThrows(StepFailedException.class,
          () -> r.run(List.of("/bin/sh", "-c", "exit 4"), dir, Map.of()));
      assertEquals("Command failed (4): /bin/sh -c exit 4", e.getMessage());
      assertEquals(4, e.exitCode());
      assertEquals(List.of("/bin/sh", "-c", "exit 4"), e.command());
      assertEquals(3, r.runTolerant(List.of("/bin/sh", "-c", "exit 3"), dir, Map.of()));
      StepFailedException missing = assertThrows(StepFailedException.class,
          () -> r.run(List.of(dir.resolve("no-such-program").toString()), dir, Map.of()));
      assertEquals(127, missing.exitCode());
      // Either we (no setsid) or setsid reports the program that could not be started, in the log.
      String text = Files.readString(r.logFile());
      assertTrue(text.contains("Cannot start " + dir.resolve("no-such-program"))
          || text.contains("failed to execute " + dir.resolve("no-such-program")), text);
    }
  }

  @Test
  void childSeesExactlyTheGivenEnvAndTheNamespacePrefix() throws Exception {
    try (ProcessCommandRunner r = runner(false, Interrupts.none(), List.of("/usr/bin/env", "VIA_PREFIX=yes"))) {
      r.run(List.of("/usr/bin/env"), dir, Map.of("ONLY", "this"));
      List<String> lines = Files.readAllLines(r.logFile());
      assertTrue(lines.contains("ONLY=this"), lines.toString());
      assertTrue(lines.contains("VIA_PREFIX=yes"), lines.toString());
      assertFalse(lines.stream().anyMatch(l -> l.startsWith("HOME=")), "the env is not inherited implicitly");
    }
  }

  @Test
  void aSignalStopsTheWholeGroupOfTheRunningCommand() throws Exception {
    assertTrue(ProcessGroup.isolated(), "util-linux setsid is needed for process groups");
    Interrupts interrupts = Interrupts.none();
    Path pids = dir.resolve("pids");
    try (ProcessCommandRunner r = runner(false, interrupts, List.of())) {
      CompletableFuture<Throwable> done = CompletableFuture.supplyAsync(() -> {
        try {
          r.run(List.of("/bin/sh", "-c", "sleep 600 & echo $$ $! > pids.tmp; mv pids.tmp pids; wait"), dir,
              Map.of("PATH", "/usr/bin:/bin"));
          return null;
        } catch (Exception e) {
          return e;
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.exists(pids)) {
        assertTrue(System.nanoTime() < deadline, "command never started");
        Thread.sleep(10); // polling for a file the child creates
      }
      String[] ids = Files.readString(pids).trim().split(" ");
      long pgid = Long.parseLong(ids[0]);
      assertTrue(ProcStat.groupMembers(pgid).contains(Long.parseLong(ids[1])));
      interrupts.onSignal("SIGTERM");
      Throwable t = done.get(30, TimeUnit.SECONDS);
      assertInstanceOf(InterruptedException.class, t);
      assertEquals("Interrupted by SIGTERM", t.getMessage());
      assertEquals(List.of(), ProcStat.groupMembers(pgid));
      // A later command is refused at once.
      assertThrows(InterruptedException.class, () -> r.run(List.of("/bin/true"), dir, Map.of()));
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }
}
