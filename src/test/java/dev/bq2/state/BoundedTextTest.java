package dev.bq2.state;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.InProcessCli;
import dev.bq2.autopilot.Journal;
import dev.bq2.autopilot.JournalEvent;
import dev.bq2.json.Json;
import dev.bq2.json.TextBounds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 1: a 20-million-character error went into `progress.last_failure.error`, our
 * reader refused it and `status` called the state corrupt. Every stored text is bounded far
 * below the reader's limit, and a plan whose step could never be exec'd is refused at load.
 */
class BoundedTextTest {
  @TempDir Path dir;

  @Test
  void writerBoundsAreBelowTheReaderLimits() {
    assertTrue(TextBounds.STORED_TEXT < Json.MAX_STRING_CHARS);
    assertTrue(TextBounds.JOURNAL_VALUE < Json.MAX_STRING_CHARS);
    assertEquals(Json.MAX_STRING_CHARS, Json.MAPPER.getFactory().streamReadConstraints().getMaxStringLength());
    assertEquals(Json.MAX_DOCUMENT_BYTES, Json.MAPPER.getFactory().streamReadConstraints().getMaxDocumentLength());
  }

  @Test
  void aHugeErrorIsStoredBoundedAndTheStateStaysReadable() throws Exception {
    Path root = dir.resolve("r");
    Files.createDirectories(root.resolve("var/lib"));
    Files.writeString(root.resolve("var/lib/sysroot-build-plan.json"), "{\"format_version\": 2, \"phases\": [{\"name\": \"p\","
        + " \"description\": \"d\", \"namespace\": \"host\", \"install_prefix\": \"/usr\", \"env\": {}, \"steps\": [{\"name\": \"s\","
        + " \"strategy\": \"shell\", \"configure_flags\": [], \"patches\": [], \"env\": {}, \"clean_build\": false}]}]}");
    StateStore store = new StateStore(root.resolve("var/lib/sysroot-build-state.json"));
    String huge = "Command failed (126): ./configure " + "--enable-x".repeat(2_100_000);
    assertTrue(huge.length() > Json.MAX_STRING_CHARS);
    BuildState s = StateStore.fresh().withProgress(Progress.empty().withLastFailure(
        new FailureRef("p", "s", "2026-11-29 00:00:00 UTC", huge, null)));
    store.save(s);
    assertTrue(Files.size(store.file()) < 64 * 1024, "state file stays small: " + Files.size(store.file()));
    String error = store.load().progress().lastFailure().error();
    assertTrue(error.startsWith("Command failed (126): ./configure --enable-x"), error.substring(0, 60));
    assertTrue(error.length() <= TextBounds.STORED_TEXT && error.endsWith("more chars cut]"), error.substring(error.length() - 40));
    InProcessCli.Result r = InProcessCli.run("sysroot-status", "--rootfs", root.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("next_step=s"), r.toString());
  }

  @Test
  void journalFieldsAreBoundedAndTheEventsStayReadable() throws Exception {
    Journal j = Journal.openOrContinue(dir.resolve("sessions"), "p");
    String huge = "x".repeat(21_000_000);
    j.record("failure", 1, "p", "s", huge, Journal.data("excerpt", List.of(huge, "short"), "nested", Map.of("k", huge)));
    List<JournalEvent> back = Journal.readEvents(j.dir().resolve("events.jsonl"));
    assertEquals(1, back.size());
    assertTrue(back.get(0).message().length() <= TextBounds.STORED_TEXT);
    @SuppressWarnings("unchecked")
    List<String> excerpt = (List<String>) back.get(0).data().get("excerpt");
    assertTrue(excerpt.get(0).length() <= TextBounds.JOURNAL_VALUE);
    assertEquals("short", excerpt.get(1));
    assertTrue(Files.size(j.dir().resolve("events.jsonl")) < 200 * 1024);
  }

  /** The net under every JSON file we write: a string no writer bounded (a 21 M-char log line) is cut. */
  @Test
  void noJsonFileWeWriteHoldsAStringOurReaderRefuses() throws Exception {
    Path report = dir.resolve("report.json");
    String line = "make: " + "x".repeat(21_000_000);
    dev.bq2.json.AtomicFile.writeJson(report, Map.of("error", "e", "log_tail", List.of("first", line)));
    com.fasterxml.jackson.databind.JsonNode back = Json.read(report, com.fasterxml.jackson.databind.JsonNode.class, "test");
    assertEquals("first", back.get("log_tail").get(0).asText());
    String cut = back.get("log_tail").get(1).asText();
    assertTrue(cut.startsWith("make: xxx") && cut.length() <= TextBounds.ANY_STRING && cut.endsWith("more chars cut]"));
  }

  /** A 31 MB plan: one step with 2.3 M flags. One line, exit 2, before anything runs. */
  @Test
  void aStepThatCouldNeverBeExecutedIsRefusedAtLoad() throws Exception {
    Path root = dir.resolve("big");
    Files.createDirectories(root.resolve("var/lib"));
    StringBuilder sb = new StringBuilder("{\"format_version\": 2, \"phases\": [{\"name\": \"p\", \"description\": \"d\","
        + " \"namespace\": \"host\", \"install_prefix\": \"/usr\", \"env\": {}, \"steps\": [{\"name\": \"s\","
        + " \"strategy\": \"autotools\", \"workdir\": \"" + dir + "\", \"patches\": [], \"env\": {}, \"clean_build\": false,"
        + " \"configure_flags\": [");
    for (int i = 0; i < 2_300_000; i++) sb.append(i == 0 ? "" : ",").append("\"--xy").append(i).append('"');
    sb.append("]}]}]}");
    Path plan = root.resolve("var/lib/sysroot-build-plan.json");
    Files.writeString(plan, sb);
    assertTrue(Files.size(plan) > 30_000_000);
    for (String cmd : new String[] {"sysroot-status", "sysroot-runner"}) {
      InProcessCli.Result r = InProcessCli.run(cmd, "--rootfs", root.toString());
      assertEquals(2, r.exit(), r.toString());
      assertEquals(1, r.err().lines().count(), r.toString());
      assertTrue(r.err().contains("field phases[0].steps[0] (p/s).configure_flags: 2300000 flags"), r.toString());
    }
    try (var s = Files.list(root.resolve("var/lib"))) {
      assertEquals(1, s.count(), "nothing written");
    }
  }

  @Test
  void oneOversizedFlagOrEnvValueIsRefusedAtLoad() throws Exception {
    Path root = dir.resolve("one");
    Files.createDirectories(root.resolve("var/lib"));
    String plan = "{\"format_version\": 2, \"phases\": [{\"name\": \"p\", \"description\": \"d\", \"namespace\": \"host\","
        + " \"install_prefix\": \"/usr\", \"env\": {}, \"steps\": [{\"name\": \"s\", \"strategy\": \"shell\","
        + " \"configure_flags\": [\"--a=" + "y".repeat(200_000) + "\"], \"patches\": [], \"env\": {}, \"clean_build\": false}]}]}";
    Files.writeString(root.resolve("var/lib/sysroot-build-plan.json"), plan);
    InProcessCli.Result r = InProcessCli.run("sysroot-status", "--rootfs", root.toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("configure_flags[0]: 200004 bytes, more than one argument may hold"), r.toString());
    Files.writeString(root.resolve("var/lib/sysroot-build-overrides.json"),
        "{\"phases\": {\"p\": {\"env\": {\"CFLAGS\": \"" + "z".repeat(140_000) + "\"}}}}");
    Files.writeString(root.resolve("var/lib/sysroot-build-plan.json"), plan.replace("y".repeat(200_000), "y"));
    r = InProcessCli.run("sysroot-status", "--rootfs", root.toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("plan after applying") && r.err().contains("env.CFLAGS: 140007 bytes"), r.toString());
  }
}
