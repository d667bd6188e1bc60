package dev.bq2.propose;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** A delta in force and the latest word on it (`fixed`, `pending`, ...). */
  public record InForce(HistoryEntry applied, String outcome) {}

  /**
   * The newest delta still in force that was applied for this very failure (same signature,
   * phase and step): asked again about it, the answer is "rerun", not a second fix.
   */
  public static java.util.Optional<InForce> inForceFor(Path historyFile, String signature, String phase, String step) {
    if (historyFile == null || signature == null) return java.util.Optional.empty();
    Map<String, String> outcome = new LinkedHashMap<>();
    for (HistoryEntry h : read(historyFile)) {
      if ("outcome".equals(h.event()) && h.outcome() != null) outcome.put(h.id(), h.outcome());
    }
    List<HistoryEntry> open = inForce(historyFile);
    for (int i = open.size() - 1; i >= 0; i--) {
      HistoryEntry h = open.get(i);
      if (signature.equals(h.signature()) && java.util.Objects.equals(phase, h.phase())
          && java.util.Objects.equals(step, h.step())) {
        return java.util.Optional.of(new InForce(h, outcome.getOrDefault(h.id(), "pending")));
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Every line. A torn last line (no final newline: a crash mid-append by an older bq2) is
   * reported with one warning on stderr and skipped, keeping everything before it; a bad line
   * elsewhere is an error naming the file and line, since the history would otherwise be
   * silently wrong.
   */
  public static List<HistoryEntry> read(Path historyFile) {
    String fix = "fix or remove that line";
    byte[] bytes;
    try {
      long size = Files.size(historyFile);
      if (size > Json.MAX_DOCUMENT_BYTES) {
        throw Bq2Exception.badInput(historyFile + ": file too large (" + size + " bytes; bq2 reads at most "
            + Json.MAX_DOCUMENT_BYTES + "); archive it and start a new history");
      }
      bytes = Files.readAllBytes(historyFile);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw Bq2Exception.badInput(historyFile + ": cannot read (" + e.getMessage() + "); check its permissions");
    }
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') end--;
    byte[] tail = Arrays.copyOfRange(bytes, end, bytes.length);
    List<String> lines = new ArrayList<>(Json.utf8(historyFile, Arrays.copyOf(bytes, end), fix).lines().toList());
    int complete = lines.size();
    List<HistoryEntry> out = new ArrayList<>();
    String tornWhy = null;
    if (tail.length > 0) {
      try {
        lines.add(Json.utf8(historyFile, tail, fix));
      } catch (Bq2Exception e) {
        tornWhy = "invalid UTF-8";
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      try {
        HistoryEntry h = Json.MAPPER.readValue(line, HistoryEntry.class);
        if (h == null) throw new IllegalArgumentException("null");
        out.add(h);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        String msg = e instanceof JsonProcessingException j ? String.valueOf(j.getOriginalMessage()) : "null is not an entry";
        msg = msg.lines().findFirst().orElse("");
        if (i >= complete) {
          tornWhy = msg;
          break;
        }
        throw Bq2Exception.badInput(historyFile + ":" + (i + 1) + ": not a history entry (" + msg + "); " + fix);
      }
    }
    if (tornWhy != null) {
      System.err.println("bq2: warning: " + historyFile + ":" + (complete + 1) + ": torn last line skipped ("
          + tail.length + " bytes without a newline, an interrupted write); the " + out.size() + " entries before it are kept");
    }
    return out;
  }
}
