package dev.bq2.json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Child process for {@link AtomicFileKillTest}: rewrites one big JSON file forever. */
public final class AtomicWriterMain {
  private AtomicWriterMain() {}

  public static void main(String[] args) {
    Path target = Path.of(args[0]);
    List<String> payload = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) payload.add("line " + i + " of a big state-like document");
    for (long n = 0; ; n++) {
      AtomicFile.writeJson(target, Map.of("iteration", n, "payload", payload, "end", "complete"));
    }
  }
}
