package dev.bq2.autopilot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.Proposer;
import dev.bq2.propose.TriedDeltas;
import dev.bq2.rootfs.Context;
import dev.bq2.rootfs.ContextDetector;
import dev.bq2.rootfs.RootfsLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Small rootfs trees with hand-written plans, and in-process autopilot runs over them. */
public final class Fixture {
  private Fixture() {}

  /** One plan step: a `shell` step (content given) or an `autotools` step (workdir given). */
  public record Step(String name, String strategy, String workdir, String content) {
    public static Step shell(String name, String content) {
      return new Step(name, "shell", null, content);
    }

    static Step autotools(String name, Path workdir) {
      return new Step(name, "autotools", workdir.toString(), null);
    }
  }

  /** Writes a one-phase host plan into `rootfs/var/lib/`, in the existing tool's format. */
  public static RootfsLayout plan(Path rootfs, String phase, Map<String, String> env, Step... steps) throws IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", phase);
    p.put("description", "test phase " + phase);
    p.put("namespace", "host");
    p.put("install_prefix", "/usr");
    p.put("destdir", rootfs.toString());
    p.put("env", env);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Step s : steps) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("strategy", s.strategy());
      m.put("workdir", s.workdir() != null ? s.workdir() : rootfs.toString());
      m.put("configure_flags", List.of());
      m.put("patches", List.of());
      m.put("env", Map.of());
      m.put("clean_build", false);
      if (s.content() != null) m.put("content", s.content());
      list.add(m);
    }
    p.put("steps", list);
    RootfsLayout layout = RootfsLayout.of(rootfs);
    Files.createDirectories(layout.plan().getParent());
    Files.writeString(layout.plan(), Json.pretty(Map.of("format_version", 2, "phases", List.of(p))));
    return layout;
  }

  /** Context for a rootfs, detection fenced into {@code dir} (no repo, our own runner). */
  static Context context(Path dir, Path rootfs) throws IOException {
    Path fsRoot = dir.resolve("empty-fs-root");
    Files.createDirectories(fsRoot);
    return new ContextDetector().fsRoot(fsRoot).cwd(dir).env(Map.of()).rootfs(rootfs).detect();
  }

  /** An autopilot run in this JVM (the runners it starts are real child processes). */
  static final class Run {
    final IterateResult result;
    final String out;

    Run(IterateResult result, String out) {
      this.result = result;
      this.out = out;
    }

    @Override
    public String toString() {
      return result + "\n--- autopilot output\n" + out;
    }
  }

  static Run iterate(Context ctx, List<Proposer> proposers, int maxAttempts, int maxIterations, Instant deadline,
      boolean allPhases) throws InterruptedException {
    return iterate(ctx, proposers, maxAttempts, maxIterations, deadline, allPhases, null);
  }

  static Run iterate(Context ctx, List<Proposer> proposers, int maxAttempts, int maxIterations, Instant deadline,
      boolean allPhases, java.time.Duration stallTimeout) throws InterruptedException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    IterateOptions opt = new IterateOptions(null, maxAttempts, maxIterations, deadline, allPhases,
        List.of("--jobs", "2"), out, false, stallTimeout);
    IterateResult r = new Autopilot(ctx, proposers, opt).run();
    return new Run(r, buf.toString(StandardCharsets.UTF_8));
  }

  static List<JournalEvent> events(Path session) {
    return Journal.readEvents(session.resolve("events.jsonl"));
  }

  static List<String> types(List<JournalEvent> events) {
    return events.stream().map(JournalEvent::type).toList();
  }

  static List<HistoryEntry> history(RootfsLayout layout) {
    return TriedDeltas.read(layout.overridesHistory());
  }

  static JsonNode overrides(RootfsLayout layout) throws IOException {
    return Json.tree(layout.overrides(), Files.readString(layout.overrides()), "test");
  }

  static JsonNode json(String text) {
    return Json.tree(Path.of("expected"), text, "test");
  }

  /** Every session folder under the sessions directory, oldest first. */
  static List<Path> sessions(Path sessionsDir) throws IOException {
    if (!Files.isDirectory(sessionsDir)) return List.of();
    try (Stream<Path> s = Files.list(sessionsDir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
