package dev.bq2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 10 item 3: durations print as people write them. */
class DurationsTest {
  @Test
  void asWrittenOnTheCommandLine() {
    assertEquals("30s", Durations.text(Duration.ofSeconds(30)));
    assertEquals("2h", Durations.text(Duration.ofHours(2)));
    assertEquals("1h30m", Durations.text(Duration.ofMinutes(90)));
    assertEquals("2m5s", Durations.text(Duration.ofSeconds(125)));
    assertEquals("1.5s", Durations.text(Duration.ofMillis(1500)));
    assertEquals("250ms", Durations.text(Duration.ofMillis(250)));
    assertEquals("0ms", Durations.text(Duration.ZERO));
  }
}
