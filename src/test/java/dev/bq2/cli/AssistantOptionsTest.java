package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The `--assistant*` flags as the autopilot will mix them in. */
class AssistantOptionsTest {
  @TempDir Path tmp;

  @Command(name = "probe")
  static class Holder {
    @Mixin AssistantOptions assistant;
  }

  private AssistantOptions parse(String... args) {
    Holder h = new Holder();
    new CommandLine(h).parseArgs(args);
    return h.assistant;
  }

  @Test
  void buildsEachProposerFromFlags() {
    AssistantOptions o = parse("--assistant", "command", "--assistant-command", "/bin/true", "--assistant-timeout", "90s",
        "--max-assistant-tokens", "5000");
    assertEquals("command", o.proposer(tmp, o.budget(), a -> { }).orElseThrow().name());
    assertEquals(5000, o.budget().max());
    assertEquals("codex", parse("--assistant", "codex").proposer(tmp, null, a -> { }).orElseThrow().name());
    assertEquals("claude", parse("--assistant", "claude").proposer(tmp, null, a -> { }).orElseThrow().name());
    assertTrue(parse("--assistant", "rules").proposer(tmp, null, a -> { }).isEmpty());
    assertEquals(Duration.ofMinutes(15), AssistantOptions.duration("15m"));
    assertEquals(Duration.ofSeconds(42), AssistantOptions.duration("42"));
    // as bq2 prints them (dev.bq2.Durations): what is printed can be given back
    for (Duration d : new Duration[] {Duration.ofMinutes(90), Duration.ofSeconds(150), Duration.ofMillis(2500),
        Duration.ofMillis(500), Duration.ofHours(2), Duration.ofSeconds(3725)}) {
      assertEquals(d, AssistantOptions.duration(dev.bq2.Durations.text(d)), dev.bq2.Durations.text(d));
    }
    for (String bad : new String[] {"", "h", "1x", "1m1h", "1.5m", "1.2345s", "-1s", "1 h"}) {
      assertThrows(Bq2Exception.class, () -> AssistantOptions.duration(bad), bad);
    }
  }

  @Test
  void badFlagsAreExit2() {
    assertEquals(2, assertThrows(Bq2Exception.class, () -> AssistantOptions.duration("soon")).exitCode());
    assertEquals(2, assertThrows(Bq2Exception.class,
        () -> parse("--assistant", "command").proposer(tmp, null, a -> { })).exitCode());
    // an unknown name is refused when the command line is parsed (one line, exit 2, before anything runs)
    assertThrows(CommandLine.ParameterException.class, () -> parse("--assistant", "gpt"));
  }
}
