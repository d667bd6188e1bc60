package dev.bq2.autopilot;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.json.TextBounds;
import dev.bq2.redact.Redactor;
import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A session journal (seed 003's lessons): `events.jsonl` (append-only, fsynced, the source of
 * truth), `journal.md` (regenerated from the events after each one, atomically), and copies of
 * every report and failure log taken the moment the failure is seen, so nothing is lost.
 */
public final class Journal {
  private final Path dir;
  private final List<JournalEvent> events = new ArrayList<>();
  /** The autopilot's env is the runner's: the values of its secret-named variables are hunted for. */
  private final Redactor redactor = Redactor.forProcessEnv();

  private Journal(Path dir, List<JournalEvent> existing) {
    this.dir = dir;
    this.events.addAll(existing);
  }

  /**
   * Continues the newest unfinished session for this phase under `sessionsDir`, or starts
   * `<UTC>-<phase>/`. A session is finished once it has a `stopped` or `phase_complete` event.
   */
  public static Journal openOrContinue(Path sessionsDir, String phase) {
    Optional<Path> open = newestUnfinished(sessionsDir, phase);
    if (open.isPresent()) return new Journal(open.get(), readEvents(open.get().resolve("events.jsonl")));
    Path dir = sessionsDir.resolve(Timestamps.fileSeconds(Instant.now()) + "-" + phase);
    int n = 2;
    while (Files.exists(dir)) dir = sessionsDir.resolve(Timestamps.fileSeconds(Instant.now()) + "-" + phase + "-" + n++);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create session folder " + dir, e);
    }
    return new Journal(dir, List.of());
  }

  /**
   * The newest session of {@code phase}, finished or not, to add to (the boot check that follows
   * the plan's last phase goes into that phase's session); a new session when there is none.
   */
  public static Journal newestOf(Path sessionsDir, String phase) {
    if (Files.isDirectory(sessionsDir)) {
      try (Stream<Path> s = Files.list(sessionsDir)) {
        Optional<Path> newest = s.filter(Files::isDirectory)
            .filter(p -> p.getFileName().toString().matches("\\d{8}T\\d{6}Z-" + java.util.regex.Pattern.quote(phase) + "(-\\d+)?"))
            .filter(p -> Files.isRegularFile(p.resolve("events.jsonl")))
            .max(Comparator.comparing((Path p) -> p.getFileName().toString()));
        if (newest.isPresent()) return new Journal(newest.get(), readEvents(newest.get().resolve("events.jsonl")));
      } catch (IOException e) {
        // unreadable folder: a new session below
      }
    }
    return openOrContinue(sessionsDir, phase);
  }

  static Optional<Path> newestUnfinished(Path sessionsDir, String phase) {
    if (!Files.isDirectory(sessionsDir)) return Optional.empty();
    try (Stream<Path> s = Files.list(sessionsDir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d{8}T\\d{6}Z-" + java.util.regex.Pattern.quote(phase) + "(-\\d+)?"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .findFirst()
          .filter(p -> {
            List<JournalEvent> ev = readEvents(p.resolve("events.jsonl"));
            return !ev.isEmpty() && ev.stream().noneMatch(e -> isFinal(e.type()));
          });
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static boolean isFinal(String type) {
    return type.equals("stopped") || type.equals("phase_complete");
  }

  /** Reads events, skipping a torn last line (a kill during append) rather than failing. */
  public static List<JournalEvent> readEvents(Path file) {
    if (!Files.exists(file)) return List.of();
    List<JournalEvent> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) continue;
        try {
          out.add(Json.MAPPER.readValue(line, JournalEvent.class));
        } catch (JsonProcessingException e) {
          // a half-written last line from a killed autopilot; everything before it is intact
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public Path dir() {
    return dir;
  }

  public synchronized boolean isContinued() {
    return !events.isEmpty();
  }

  /** A snapshot: events are also recorded by the live journal's thread while a runner runs. */
  public synchronized List<JournalEvent> events() {
    return List.copyOf(events);
  }

  public synchronized JournalEvent record(String type, Integer iteration, String phase, String step,
      String message, Map<String, Object> data) {
    // Messages and data carry build output (errors, excerpts): secrets in it stay out of the journal,
    // and every text is bounded so that events.jsonl stays readable (json.TextBounds).
    Instant now = Instant.now();
    JournalEvent e = redactor.redactJson(new JournalEvent(stamp(now), type, iteration, clip(phase),
        clip(step), TextBounds.clip(message, TextBounds.STORED_TEXT), data == null ? Map.of() : bounded(data)),
        JournalEvent.class);
    AtomicFile.appendLine(dir.resolve("events.jsonl"), Json.line(e));
    events.add(e);
    AtomicFile.write(dir.resolve("journal.md"), JournalMarkdown.render(events, now));
    return e;
  }

  /**
   * Rewrites `journal.md` with no new event, so that the elapsed time of the step being built
   * stays current while a long step runs (events.jsonl only ever gets real events).
   */
  public synchronized void refresh() {
    if (!events.isEmpty()) AtomicFile.write(dir.resolve("journal.md"), JournalMarkdown.render(events, Instant.now()));
  }

  /**
   * What a session's runner is doing now, as journal.md says it ("building `p/s` (#2) for 1m5s,
   * as of …"), or null when its events say no runner of it runs.
   */
  public static String running(List<JournalEvent> events, Instant now) {
    return JournalMarkdown.running(events, now);
  }

  /** Journal time: UTC to the second (`2026-11-30T01:02:03Z`); nobody reads nanoseconds. */
  public static String stamp(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Copies a report or log into the session folder at once; returns the copy. */
  public Path archive(Path file, String subdir) {
    if (file == null || !Files.exists(file)) return null;
    try {
      Path target = dir.resolve(subdir).resolve(file.getFileName());
      Files.createDirectories(target.getParent());
      // Copies of reports and logs are kept with secrets removed; only the runner's raw step log
      // (mode 0600) stays as the build wrote it.
      redactor.copyRedacted(file, target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot archive " + file + " into " + dir, e);
    }
  }

  private static String clip(String s) {
    return TextBounds.clip(s, TextBounds.STORED_TEXT);
  }

  /**
   * A copy of {@code data} whose strings (keys too, at any depth, also inside records such as a
   * proposal) are at most {@link TextBounds#JOURNAL_VALUE} chars, so that no build output or
   * assistant answer makes `events.jsonl` unreadable (issue 9: our reader refuses huge strings).
   */
  static Map<String, Object> bounded(Map<String, Object> data) {
    Map<String, Object> out = new LinkedHashMap<>();
    data.forEach((k, v) -> out.put(TextBounds.clip(k, TextBounds.JOURNAL_VALUE), boundedValue(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object boundedValue(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean) return v;
    if (v instanceof CharSequence s) return TextBounds.clip(s.toString(), TextBounds.JOURNAL_VALUE);
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(TextBounds.clip(String.valueOf(k), TextBounds.JOURNAL_VALUE), boundedValue(x)));
      return out;
    }
    if (v instanceof Iterable<?> it) {
      List<Object> out = new ArrayList<>();
      it.forEach(x -> out.add(boundedValue(x)));
      return out;
    }
    // records and other beans: bound their JSON form
    return boundedValue(Json.MAPPER.convertValue(v, Object.class));
  }

  public static Map<String, Object> data(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
