package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.rootfs.PhaseStatus;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.Status;
import dev.bq2.supervise.BackgroundRunner;
import dev.bq2.supervise.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 "must show": `bq2 iterate` (a real child JVM) is killed with kill -9 while its runner
 * builds; the runner keeps going; a second autopilot meanwhile is refused naming the holder;
 * the next `bq2 iterate` re-attaches to the same runner (no second one), continues the same
 * journal, and loses nothing: no corrupt JSON, no lost override.
 */
class IterateKillTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void kill9OfTheAutopilotLosesNothingAndTheNextIterateReattaches() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path marks = Files.createDirectories(dir.resolve("marks"));
    Path gate = dir.resolve("gate");
    RootfsLayout layout = Fixture.plan(rootfs, "slow", Map.of("MARKS", marks.toString(), "GATE", gate.toString()),
        // Fails until the built-in missing-makeinfo rule sets MAKEINFO=true: one override before the kill.
        Fixture.Step.shell("docs", "if [ \"${MAKEINFO:-}\" != true ]; then echo 'makeinfo: command not found' >&2; exit 127; fi\n"
            + "echo docs built"),
        // Takes as long as the test wants: waits for the gate file.
        Fixture.Step.shell("wait", "touch \"$MARKS/waiting\"\nwhile [ ! -e \"$GATE\" ]; do sleep 0.05; done\necho released"));
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    String[] iterate = {"iterate", "--rootfs", rootfs.toString(), "--fs-root", fsRoot.toString(), "--max-iterations", "5"};

    ChildJvm first = ChildJvm.start(dir, dir.resolve("iterate-1"), iterate);
    try {
      ChildJvm.await("the second runner to reach the slow step", Duration.ofSeconds(60),
          () -> Files.exists(marks.resolve("waiting")) || !first.process.isAlive());
      assertTrue(first.process.isAlive(), "the autopilot is still following its runner: " + first);
      RunRecord running = currentRun(layout);
      long runnerPid = running.pid();
      assertTrue(ProcessHandle.of(runnerPid).map(ProcessHandle::isAlive).orElse(false));

      // One autopilot per rootfs: a second one is refused, naming the holder.
      ChildJvm second = ChildJvm.run(dir, dir.resolve("iterate-2"), Duration.ofSeconds(60), iterate);
      assertEquals(2, second.exit(), second.toString());
      assertTrue(second.stderr().contains("pid " + first.process.pid()), second.stderr());

      Process kill = new ProcessBuilder("kill", "-9", Long.toString(first.process.pid())).inheritIO().start();
      assertEquals(0, kill.waitFor());
      assertEquals(137, first.waitFor(Duration.ofSeconds(30)));
      assertTrue(ProcessHandle.of(runnerPid).map(ProcessHandle::isAlive).orElse(false), "the runner outlived its autopilot");
      assertFalse(Files.exists(Path.of(running.exitFile())), "and is still running");

      ChildJvm third = ChildJvm.start(dir, dir.resolve("iterate-3"), iterate);
      try {
        Path sessionsDir = rootfs.resolve("var/lib/sysroot-build-sessions");
        ChildJvm.await("the new autopilot to re-attach", Duration.ofSeconds(60), () -> reattached(sessionsDir) || !third.process.isAlive());
        assertTrue(third.process.isAlive(), third.toString());
        assertTrue(ProcessHandle.of(runnerPid).map(ProcessHandle::isAlive).orElse(false));
        Files.writeString(gate, "");
        assertEquals(0, third.waitFor(Duration.ofSeconds(60)), third.toString());

        String out = third.stdout();
        assertTrue(out.contains("took over a stale lock from pid " + first.process.pid()), out);
        assertTrue(out.contains("re-attached to runner pid " + runnerPid), out);
        assertTrue(out.contains("phase slow complete"), out);

        // The journal continues in the same session folder.
        List<Path> sessions = Fixture.sessions(sessionsDir);
        assertEquals(1, sessions.size(), sessions.toString());
        List<JournalEvent> ev = Fixture.events(sessions.get(0));
        List<String> types = Fixture.types(ev);
        assertEquals(1, types.stream().filter("session_started"::equals).count(), types.toString());
        assertEquals(1, types.stream().filter("session_resumed"::equals).count(), types.toString());
        assertEquals(2, types.stream().filter("runner_started"::equals).count(), "no runner started after the kill: " + types);
        JournalEvent reattached = ev.stream().filter(e -> e.type().equals("runner_reattached")).findFirst().orElseThrow();
        assertEquals(runnerPid, ((Number) reattached.get("pid")).longValue());
        assertEquals(2, reattached.iteration(), "the re-attached run keeps its iteration number");
        assertEquals("phase_complete", types.get(types.size() - 1));
        String md = Files.readString(sessions.get(0).resolve("journal.md"));
        assertTrue(md.contains("`session_resumed`") && md.contains("`runner_reattached` #2"), md);

        // Exactly two runners ever ran; the survivor's exit status was captured.
        List<Path> runRecords = Fixture.files(layout.logDir()).stream()
            .filter(p -> p.getFileName().toString().matches("sysroot-runner-.*\\.run\\.json")).toList();
        assertEquals(2, runRecords.size(), runRecords.toString());
        assertEquals("0", Files.readString(Path.of(running.exitFile())).trim());

        // No lost override: the delta applied before the kill is in force and proven.
        assertEquals(Fixture.json("""
            {"phases": {"slow": {"steps": {"docs": {"env": {"MAKEINFO": "true"}}}}}}
            """), Fixture.overrides(layout));
        List<HistoryEntry> h = Fixture.history(layout);
        assertEquals(List.of("applied", "outcome"), h.stream().map(HistoryEntry::event).toList());
        assertEquals("fixed", h.get(1).outcome());
        assertEquals(PhaseStatus.COMPLETE, Status.compute(layout, true).nextPhase());

        assertEveryJsonFileParses(dir);
      } finally {
        third.process.destroyForcibly();
      }
    } finally {
      first.process.destroyForcibly();
      Files.writeString(gate, ""); // never leave a runner waiting
    }
  }

  private static RunRecord currentRun(RootfsLayout layout) {
    Path current = layout.logDir().resolve(BackgroundRunner.CURRENT);
    return Json.read(current, RunRecord.class, "test");
  }

  private static boolean reattached(Path sessionsDir) {
    try {
      return Fixture.sessions(sessionsDir).stream()
          .anyMatch(s -> Fixture.types(Fixture.events(s)).contains("runner_reattached"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Every .json file parses, and every line of every .jsonl file. */
  static void assertEveryJsonFileParses(Path root) throws IOException {
    int checked = 0;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".json")) {
          JsonNode n = Json.tree(p, Files.readString(p), "test");
          assertNotNull(n, p.toString());
          checked++;
        } else if (name.endsWith(".jsonl")) {
          for (String line : Files.readAllLines(p)) {
            assertFalse(line.isBlank(), "blank line in " + p);
            Json.tree(p, line, "test");
          }
          checked++;
        } else if (name.endsWith(".tmp")) {
          fail("a temp file was left behind: " + p);
        }
      }
    }
    assertTrue(checked >= 8, "plan, state, overrides, history, reports, run records, events: " + checked);
  }
}
