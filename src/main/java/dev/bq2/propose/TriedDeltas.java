package dev.bq2.propose;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads `sysroot-build-overrides.history.jsonl` back: all entries, or what was tried for a signature. */
public final class TriedDeltas {
  private TriedDeltas() {}

  /** Deltas applied for {@code signature}, oldest first, each with its latest outcome (`pending` until one is recorded). */
  public static List<TriedDelta> forSignature(Path historyFile, String signature) {
    Map<String, HistoryEntry> applied = new LinkedHashMap<>();
    Map<String, String> outcome = new LinkedHashMap<>();
    for (HistoryEntry h : read(historyFile)) {
      if ("applied".equals(h.event()) && signature != null && signature.equals(h.signature())) applied.put(h.id(), h);
      if ("outcome".equals(h.event()) && h.outcome() != null) outcome.put(h.id(), h.outcome());
    }
    List<TriedDelta> out = new ArrayList<>();
    applied.forEach((id, h) -> out.add(new TriedDelta(h.delta(), h.proposer(), outcome.getOrDefault(id, "pending"))));
    return out;
  }

  /**
   * The applied deltas not reverted since, oldest first: what the overrides file holds because
   * of us. Stop messages count these, not every delta ever applied (a reverted one changed nothing).
   */
  public static List<HistoryEntry> inForce(Path historyFile) {
    Map<String, HistoryEntry> open = new LinkedHashMap<>();
    for (HistoryEntry h : read(historyFile)) {
      if ("applied".equals(h.event())) open.put(h.id(), h);
      if ("reverted".equals(h.event())) open.remove(h.id());
    }
    return List.copyOf(open.values());
  }

  /**
   * Every line. A torn last line (a crash mid-append) is skipped; a bad line elsewhere is an
   * error naming the file and line, since the history would otherwise be silently wrong.
   */
  public static List<HistoryEntry> read(Path historyFile) {
    List<String> lines;
    try {
      lines = Files.readAllLines(historyFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw Bq2Exception.badInput(historyFile + ": cannot read (" + e.getMessage() + "); check its permissions");
    }
    List<HistoryEntry> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      try {
        out.add(Json.MAPPER.readValue(line, HistoryEntry.class));
      } catch (JsonProcessingException e) {
        if (i == lines.size() - 1) break;
        String msg = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
        throw Bq2Exception.badInput(historyFile + ":" + (i + 1) + ": not a history entry (" + msg + "); fix or remove that line");
      }
    }
    return out;
  }
}
