package dev.bq2.autopilot;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.ExitCodes;
import dev.bq2.InProcessCli;
import dev.bq2.propose.RuleProposer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 6: the journal is written while the runner runs. A real runner (child JVM,
 * started detached by the autopilot) builds a step that waits for a file this test creates;
 * before the file exists, journal.md already names that step as the one being built, and the
 * step that ran before it with its own time. Journal times are to the second.
 */
class LiveJournalTest {
  private static final Pattern SECONDS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

  @TempDir Path dir;

  @Test
  @Timeout(120)
  void journalNamesTheStepBeingBuiltWhileTheRunnerRuns() throws Exception {
    Path rootfs = dir.resolve("rootfs");
    Path release = dir.resolve("release");
    // The step ends by itself after 60 s at most, so a failed test leaves no runner behind for long.
    String waits = "i=0\nwhile [ ! -e \"$RELEASE\" ]; do i=$((i+1)); [ $i -gt 600 ] && exit 3; sleep 0.1; done\necho released";
    Fixture.plan(rootfs, "p", Map.of("RELEASE", release.toString()),
        Fixture.Step.shell("first", "echo first"), Fixture.Step.shell("waits", waits), Fixture.Step.shell("last", "echo last"));
    Path sessions = rootfs.resolve("var/lib/sysroot-build-sessions");

    AtomicReference<Object> result = new AtomicReference<>();
    Thread autopilot = new Thread(() -> {
      try {
        result.set(Fixture.iterate(Fixture.context(dir, rootfs), List.of(RuleProposer.withDefaults()), 3, 5, null, false));
      } catch (Throwable t) {
        result.set(t);
      }
    });
    autopilot.start();
    try {
      ChildJvm.await("journal.md to name p/waits as the step being built", Duration.ofSeconds(60),
          () -> journal(sessions).contains("- Now: building `p/waits` (#1) for "));
      String md = journal(sessions);
      assertFalse(Files.exists(release), "the step is still waiting");
      assertTrue(md.contains("| 1 | first | "), "the step before it has its row: " + md);
      assertTrue(md.contains("| 1 | waits | ") && md.contains(" | running | "), "the waiting step is in the table: " + md);
      List<JournalEvent> ev = Fixture.events(session(sessions));
      assertTrue(ev.stream().anyMatch(e -> e.type().equals("step_finished") && "first".equals(e.step())
          && "ok".equals(e.get("result"))), ev.toString());
      assertTrue(ev.stream().anyMatch(e -> e.type().equals("step_started") && "waits".equals(e.step())), ev.toString());
      assertTrue(ev.stream().noneMatch(e -> e.type().equals("runner_exited")), "the runner still runs: " + ev);

      // `bq2 summary` says the same: what runs now and the step it builds.
      InProcessCli.Result summary = InProcessCli.run("summary", "--rootfs", rootfs.toString(),
          "--fs-root", dir.resolve("empty-fs-root").toString(), "--session-dir", sessions.toString());
      assertEquals(ExitCodes.OK, summary.exit(), summary.toString());
      assertTrue(summary.out().contains("now:  the runner of phase p runs (pid ")
          && summary.out().contains(": building `p/waits` (#1) for "), summary.toString());
      assertTrue(summary.out().contains("plan: next_phase p, next step waits"), summary.toString());
    } finally {
      Files.writeString(release, "go\n");
      autopilot.join(Duration.ofSeconds(90).toMillis());
    }
    if (result.get() instanceof Throwable t) throw new AssertionError(t);
    Fixture.Run run = (Fixture.Run) result.get();
    assertEquals(ExitCodes.OK, run.result.exitCode(), run.toString());

    Path session = session(sessions);
    List<JournalEvent> ev = Fixture.events(session);
    assertEquals(List.of("first", "waits", "last"), ev.stream().filter(e -> e.type().equals("step_finished"))
        .map(JournalEvent::step).toList(), ev.toString());
    JournalEvent waited = ev.stream().filter(e -> e.type().equals("step_finished") && "waits".equals(e.step())).findFirst().orElseThrow();
    assertEquals("ok", waited.get("result"));
    assertTrue(((Number) waited.get("duration_s")).doubleValue() > 0, waited.toString());
    int exited = Fixture.types(ev).indexOf("runner_exited");
    assertTrue(Fixture.types(ev).lastIndexOf("step_finished") < exited, "steps end before the runner's exit is journaled: " + ev);

    // Seconds, never nanoseconds: in events.jsonl and in journal.md.
    for (String line : Files.readAllLines(session.resolve("events.jsonl"))) {
      Matcher m = Pattern.compile("\"time\":\"([^\"]*)\"").matcher(line);
      assertTrue(m.find() && SECONDS.matcher(m.group(1)).matches(), line);
    }
    String md = Files.readString(session.resolve("journal.md"));
    assertFalse(Pattern.compile("T\\d\\d:\\d\\d:\\d\\d\\.\\d").matcher(md).find(), "no fractions of seconds in " + md);
    assertFalse(md.contains("- Now: "), "nothing runs any more: " + md);
    assertTrue(md.contains("| 1 | waits | ") && md.contains(" | ok | "), md);
  }

  /**
   * The elapsed time of a long step is kept current in journal.md between step changes, and a
   * step's time comes from the runner log's own timestamps, so it is exact however late it is read.
   */
  @Test
  @Timeout(60)
  void journalIsRewrittenWhileALongStepRunsAndStepTimesComeFromTheLog() throws Exception {
    Journal journal = Journal.openOrContinue(dir.resolve("sessions"), "p");
    journal.record("session_started", null, "p", null, "target phase p", Map.of());
    Path log = dir.resolve("sysroot-runner-20261130T010000Z-p.log");
    journal.record("runner_started", 1, "p", null, "runner pid 1", Map.of("log", log.toString()));
    append(log, "2026-11-30T01:00:00.000000Z   INFO - Executing phase p (namespace=host)\n"
        + "2026-11-30T01:00:00.250000Z   INFO - Building s in /tmp/x (phase=p)\n");

    LiveJournal live = LiveJournal.start(journal, 1, log, Duration.ofMillis(100));
    try {
      Path md = journal.dir().resolve("journal.md");
      ChildJvm.await("journal.md to name p/s", Duration.ofSeconds(30), () -> read(md).contains("- Now: building `p/s` (#1)"));
      String first = asOf(read(md));
      ChildJvm.await("journal.md to be rewritten with a later time", Duration.ofSeconds(30),
          () -> !asOf(read(md)).equals(first));
      assertEquals(List.of("session_started", "runner_started", "step_started"), Fixture.types(Fixture.events(journal.dir())),
          "rewrites add no events");

      append(log, "2026-11-30T01:00:02.750000Z   INFO - Finished s\n");
      ChildJvm.await("the step's end to be journaled", Duration.ofSeconds(30),
          () -> Fixture.events(journal.dir()).stream().anyMatch(e -> e.type().equals("step_finished")));
    } finally {
      live.close(null);
    }
    JournalEvent done = Fixture.events(journal.dir()).stream().filter(e -> e.type().equals("step_finished")).findFirst().orElseThrow();
    assertEquals(2.5, ((Number) done.get("duration_s")).doubleValue(), "from the log's own timestamps: " + done);
    assertEquals("ok after 2.5s", done.message());
    assertTrue(read(journal.dir().resolve("journal.md")).contains("| 1 | s | 2.5s | ok |"));
  }

  private static String asOf(String md) {
    Matcher m = Pattern.compile("as of (\\S+)").matcher(md);
    return m.find() ? m.group(1) : "";
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path session(Path sessions) {
    try {
      List<Path> all = Fixture.sessions(sessions);
      return all.isEmpty() ? sessions.resolve("none") : all.get(all.size() - 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String journal(Path sessions) {
    return read(session(sessions).resolve("journal.md"));
  }
}
