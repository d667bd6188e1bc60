package dev.bq2.tasks;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.TerminalText;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.json.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one task queue kept across sessions, `<session root>/task-queue.md` (beside the
 * `<UTC>-<phase>` folders): the follow-ups boot checks and autopilots discover, as a Markdown
 * checklist a person reads and edits too (seed 003: "use the task queue to register newly
 * discovered work instead of keeping it implicit"). Format: docs/formats.md#task-queue.
 *
 * <p>The file is the only state: every change reads it afresh under a lock file beside it
 * (`task-queue.lock`, an OS lock, so two autopilots and a boot check serialise and none loses
 * another's task), edits only the lines of the tasks it changes, and writes it atomically. Lines
 * we do not recognise (a person's notes, headings) are kept verbatim, and a box ticked by hand
 * marks its task done.
 */
public final class TaskQueue {
  public static final String FILE_NAME = "task-queue.md";
  public static final String LOCK_NAME = "task-queue.lock";

  private static final String TS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
  /** `- [ ] text — `key` (meta)`; the key in backticks makes it visible and unambiguous. */
  private static final Pattern ENTRY = Pattern.compile(
      "^- \\[(?<box>[ xX])\\] (?<text>.*?) — `(?<key>[^`]+)` \\((?<meta>from .*)\\)\\s*$");
  private static final Pattern META = Pattern.compile(
      "^from (?<source>.+?), (?<reg>" + TS + ")(?:; reopened, was done (?<reopened>.*?))?"
          + "(?:; done (?<res>" + TS + ")(?:: (?<how>.*))?)?$");
  /** A checkbox item of a person's own (no key of ours): listed, kept verbatim. */
  private static final Pattern HAND = Pattern.compile("^\\s*[-*] \\[(?<box>[ xX])\\] (?<text>.+?)\\s*$");

  private static final String HEADER = """
      # Task queue

      Follow-ups that `bq2 boot-check` and `bq2 iterate` discovered, kept across sessions (`bq2 tasks` lists them).
      Tick a box (`[x]`) when a task is done; add notes or tasks of your own anywhere: bq2 keeps every line it
      did not write, and changes only the line of a task it registers or resolves (format: docs/formats.md#task-queue).

      """;

  private final Path file;
  private final Path lockFile;

  private TaskQueue(Path dir) {
    this.file = dir.resolve(FILE_NAME);
    this.lockFile = dir.resolve(LOCK_NAME);
  }

  /** The queue of a session root (`<repo>/session`, or what `--session-dir` names); nothing is created yet. */
  public static TaskQueue open(Path sessionRoot) {
    return new TaskQueue(sessionRoot.toAbsolutePath().normalize());
  }

  public Path file() {
    return file;
  }

  /**
   * Registers a follow-up; true when the file changed. Idempotent by key: an open task with the
   * same key is left as it is (false); a done one that recurs is reopened and its line says what
   * resolved it before.
   *
   * @param key stable and unique per follow-up (`boot:no-serial-output`, `iterate:<phase>/<step>:<kind>`);
   *     one line, no backtick
   * @param text what a person should do, one line
   * @param source where it was found (`session/20261130T050112Z-boot`)
   */
  public boolean register(String key, String text, String source) {
    checkKey(key);
    String t = oneLine(text);
    String s = oneLine(source);
    if (t.isEmpty()) throw new IllegalArgumentException("task text is empty for key " + key);
    return update(lines -> {
      String now = now();
      boolean openFound = false;
      int doneAt = -1;
      for (int i = 0; i < lines.size(); i++) {
        Task task = parse(lines.get(i));
        if (task == null || !task.key().equals(key)) continue;
        if (task.open()) openFound = true;
        else doneAt = i;
      }
      if (openFound) return false;
      if (doneAt >= 0) {
        Task was = parse(lines.get(doneAt));
        String before = was.resolved() == null ? "by hand" : was.resolved() + (was.how() == null ? "" : ": " + was.how());
        lines.set(doneAt, render(new Task(key, t, s.isEmpty() ? "?" : s, Task.State.OPEN, now, null, null, oneLine(before))));
        return true;
      }
      lines.add(insertionPoint(lines), render(new Task(key, t, s.isEmpty() ? "?" : s, Task.State.OPEN, now, null, null, null)));
      return true;
    });
  }

  /** Marks the open task {@code key} done, saying how; false when no such task is open. */
  public boolean resolve(String key, String how) {
    checkKey(key);
    String h = oneLine(how);
    return update(lines -> {
      boolean changed = false;
      String now = now();
      for (int i = 0; i < lines.size(); i++) {
        Task task = parse(lines.get(i));
        if (task == null || !task.key().equals(key) || !task.open()) continue;
        lines.set(i, render(new Task(key, task.text(), task.source(), Task.State.DONE, task.registered(), now,
            h.isEmpty() ? null : h, task.reopened())));
        changed = true;
      }
      return changed;
    });
  }

  /** Every task in file order, ours and a person's own checkbox items; an absent file is an empty queue. */
  public List<Task> tasks() {
    List<Task> out = new ArrayList<>();
    for (String line : read()) {
      Task task = parse(line);
      if (task == null) task = parseHandWritten(line);
      if (task != null) out.add(task);
    }
    return out;
  }

  /** The open tasks whose key starts with {@code prefix}, in file order. */
  public List<Task> open(String prefix) {
    return tasks().stream().filter(t -> t.open() && !t.byHand() && t.key().startsWith(prefix)).toList();
  }

  // ---------------------------------------------------------------------------------------------

  /** Reads, edits and writes the file under both locks; {@code edit} says whether it changed the lines. */
  private boolean update(Function<List<String>, Boolean> edit) {
    try (LockFile lock = LockFile.acquire(lockFile)) {
      Files.createDirectories(file.getParent());
      List<String> lines = new ArrayList<>(read());
      boolean fresh = lines.isEmpty() && !Files.exists(file);
      if (!edit.apply(lines)) return false;
      StringBuilder b = new StringBuilder(fresh ? HEADER : "");
      for (String l : lines) b.append(l).append('\n');
      AtomicFile.write(file, b.toString());
      return true;
    } catch (IOException e) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot update the task queue " + file + " (lock " + lockFile
          + "): " + e.getMessage(), e);
    }
  }

  private List<String> read() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "cannot read the task queue " + file + ": " + e.getMessage(), e);
    }
    String text = Json.utf8(file, bytes, "save it as UTF-8 (it is the task queue, a Markdown file)");
    if (text.isEmpty()) return List.of();
    // split keeps inner empty lines; one trailing newline ends the last line, it adds none
    List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
    return lines;
  }

  /** New tasks go after the last task line (a person's own lines after it stay below), else at the end. */
  private static int insertionPoint(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (parse(lines.get(i)) != null || HAND.matcher(lines.get(i)).matches()) return i + 1;
    }
    return lines.size();
  }

  static Task parse(String line) {
    Matcher m = ENTRY.matcher(line);
    if (!m.matches()) return null;
    Matcher meta = META.matcher(m.group("meta"));
    if (!meta.matches()) return null;
    // The box is the truth: a person may tick or untick it by hand.
    boolean done = !m.group("box").equals(" ");
    return new Task(m.group("key"), m.group("text").strip(), meta.group("source"), done ? Task.State.DONE : Task.State.OPEN,
        meta.group("reg"), done ? meta.group("res") : null, done ? meta.group("how") : null, meta.group("reopened"));
  }

  private static Task parseHandWritten(String line) {
    Matcher m = HAND.matcher(line);
    if (!m.matches()) return null;
    return new Task("", m.group("text"), null, m.group("box").equals(" ") ? Task.State.OPEN : Task.State.DONE,
        null, null, null, null);
  }

  static String render(Task t) {
    StringBuilder b = new StringBuilder("- [").append(t.open() ? ' ' : 'x').append("] ").append(t.text())
        .append(" — `").append(t.key()).append("` (from ").append(t.source()).append(", ").append(t.registered());
    if (t.reopened() != null) b.append("; reopened, was done ").append(t.reopened());
    if (!t.open() && t.resolved() != null) {
      b.append("; done ").append(t.resolved());
      if (t.how() != null) b.append(": ").append(t.how());
    }
    return b.append(')').toString();
  }

  private static void checkKey(String key) {
    if (key == null || key.isBlank() || key.indexOf('`') >= 0 || key.indexOf('\n') >= 0 || key.indexOf('\r') >= 0
        || !key.strip().equals(key)) {
      throw new IllegalArgumentException("a task key is one line without backticks or surrounding blanks: " + key);
    }
  }

  /**
   * Text from build output or a diagnosis: one line, as a checklist item must be, with control
   * characters shown as escapes (the file is read with `cat` too).
   */
  private static String oneLine(String s) {
    return s == null ? "" : TerminalText.escape(s.replaceAll("\\s+", " ").strip());
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
