package dev.bq2.boot;

import dev.bq2.json.AtomicFile;
import dev.bq2.state.Timestamps;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * One boot check's folder, `<session>/<UTC>-boot/`, written while it runs (seed 003: a serial
 * log in a temp folder is lost unless copied at once): `serial.log` (raw bytes, flushed as they
 * arrive), `transcript.log` (what we sent and matched, with times), `qemu-command.txt` (before
 * QEMU starts), `qemu-stderr.log`, `journal.md` (rewritten atomically at each event) and, at
 * the end, `boot-outcome.json`.
 */
final class BootSession implements AutoCloseable {
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  final Path dir;
  final Instant started;
  private final OutputStream serial;
  private final Writer transcript;
  private final List<String> timeline = new ArrayList<>();
  private final List<String> commandLines = new ArrayList<>();
  private String summary = "Boot check running.";
  private List<String> hypotheses = List.of("(none yet: the check is running)");
  private List<String> nextActions = List.of("(none yet)");
  private List<String> lessons = List.of();

  private BootSession(Path dir, Instant started) throws IOException {
    this.dir = dir;
    this.started = started;
    this.serial = new BufferedOutputStream(Files.newOutputStream(dir.resolve("serial.log")));
    this.transcript = Files.newBufferedWriter(dir.resolve("transcript.log"), StandardCharsets.UTF_8);
  }

  /** Creates `<sessionRoot>/<UTC>-boot/` (a suffix when that name is taken). */
  static BootSession create(Path sessionRoot) {
    Instant now = Instant.now();
    try {
      Files.createDirectories(sessionRoot);
      String base = Timestamps.fileSeconds(now) + "-boot";
      Path dir = sessionRoot.resolve(base);
      for (int n = 2; ; n++) {
        try {
          Files.createDirectory(dir);
          break;
        } catch (java.nio.file.FileAlreadyExistsException e) {
          dir = sessionRoot.resolve(base + "-" + n);
        }
      }
      return new BootSession(dir.toAbsolutePath(), now);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the boot session folder under " + sessionRoot, e);
    }
  }

  /** The raw serial stream; the console flushes it after each chunk. */
  OutputStream serial() {
    return serial;
  }

  /** One transcript line: UTC time, seconds since the check started, what happened. */
  synchronized void transcript(String what) {
    Instant now = Instant.now();
    try {
      transcript.write(Timestamps.state(now) + " +" + seconds(Duration.between(started, now)) + "s " + what + "\n");
      transcript.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("transcript.log"), e);
    }
  }

  /** Adds a QEMU command line to `qemu-command.txt` (earlier attempts stay as comments), before QEMU starts. */
  void qemuCommand(List<String> argv, String note) {
    List<String> lines = new ArrayList<>();
    for (String l : commandLines) lines.add(l.startsWith("#") ? l : "# earlier attempt: " + l);
    lines.add("# " + note);
    lines.add(QemuCommand.shellLine(argv));
    commandLines.clear();
    commandLines.addAll(lines);
    AtomicFile.write(dir.resolve("qemu-command.txt"), String.join("\n", lines) + "\n");
  }

  /** A timeline entry (UTC) in journal.md, written at once. */
  synchronized void timeline(Instant at, String what) {
    timeline.add(HMS.format(at) + "Z - " + what);
    writeJournal();
  }

  synchronized void conclude(String summary, List<String> hypotheses, List<String> nextActions, List<String> lessons) {
    this.summary = summary;
    this.hypotheses = hypotheses;
    this.nextActions = nextActions;
    this.lessons = lessons;
    writeJournal();
  }

  private void writeJournal() {
    StringBuilder b = new StringBuilder();
    b.append("# Boot Check Investigation Log (").append(Timestamps.state(started)).append(")\n\n");
    b.append("## Summary\n").append(summary.strip()).append("\n\n");
    b.append("## Detailed Timeline\n");
    for (int i = 0; i < timeline.size(); i++) b.append(i).append(". ").append(timeline.get(i)).append('\n');
    b.append("\n## Current Hypotheses & Questions\n");
    for (String h : hypotheses) b.append("- ").append(h).append('\n');
    b.append("\n## Next Actions (Queued)\n");
    for (String a : nextActions) b.append("- ").append(a).append('\n');
    b.append("\n## Lessons / Guardrails\n");
    for (String l : lessons) b.append("- ").append(l).append('\n');
    b.append("\nArtifacts: `serial.log` (raw console bytes), `transcript.log` (sent/matched, timed), "
        + "`qemu-command.txt`, `qemu-stderr.log`, `boot-outcome.json`.\n");
    AtomicFile.write(dir.resolve("journal.md"), b.toString());
  }

  static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.2f", d.toMillis() / 1000.0);
  }

  @Override
  public void close() {
    try {
      serial.close();
    } catch (IOException e) {
      // the raw log was flushed chunk by chunk; nothing more to save
    }
    try {
      transcript.close();
    } catch (IOException e) {
      // each line was flushed as written
    }
  }
}
