package dev.bq2.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bq2.cli.Bq2;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `bq2 codex-namespace` with a fake `codex` (in /work/bin inside) that records argv, env and root. */
class CodexNamespaceTest {
  static final String OLD = "0199aaaa-bbbb-7ccc-8ddd-000000000001";
  static final String NEW = "0199aaaa-bbbb-7ccc-8ddd-000000000002";
  @TempDir Path tmp;
  Path rootfs;
  Path work;
  Path repo;

  @BeforeEach
  void setUp() throws Exception {
    rootfs = Rootfs.create(tmp.resolve("seed-rootfs/bq2-rootfs"));
    work = Files.createDirectories(tmp.resolve("work"));
    repo = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(repo.resolve("README"), "the repo\n");
    Rootfs.script(work.resolve("bin/codex"), String.join("\n",
        "echo \"$@\" > /work/argv.txt",
        "env | sort > /work/env.txt",
        "pwd > /work/pwd.txt",
        "cat /.bq2-rootfs README > /work/root.txt",
        "d=/work/.codex/sessions/2026/11/27",
        "mkdir -p $d",
        "touch $d/rollout-2026-11-27T10-00-00-" + NEW + ".jsonl",
        "exit 3"));
  }

  private int bq2(StringWriter out, String... args) {
    CommandLine cl = Bq2.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    return cl.execute(args);
  }

  private List<String> base(String... extra) {
    List<String> a = new ArrayList<>(List.of("codex-namespace", "--rootfs", rootfs.toString(), "--work-dir", work.toString(),
        "--repo", repo.toString()));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void resumesTheStoredSessionInsideTheRootfsAndStoresTheNewestAfterwards() throws Exception {
    Files.writeString(work.resolve(".codex-session-id"), OLD + "\n");
    // An older session file must not win over the one Codex writes now.
    Path older = Files.createDirectories(work.resolve(".codex/sessions/2026/11/26"))
        .resolve("rollout-2026-11-26T10-00-00-" + OLD + ".jsonl");
    Files.writeString(older, "{}\n");
    Files.setLastModifiedTime(older, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    StringWriter out = new StringWriter();
    int rc = bq2(out, base().toArray(String[]::new));
    assertEquals(3, rc, "codex's exit code: " + out);
    assertEquals("resume --add-dir /var --add-dir /opt --add-dir /workspace -C /work/bootstrap-qcow2 " + OLD,
        Files.readString(work.resolve("argv.txt")).strip());
    assertEquals("/work/bootstrap-qcow2", Files.readString(work.resolve("pwd.txt")).strip());
    assertEquals("bq2-rootfs\nthe repo", Files.readString(work.resolve("root.txt")).strip(), "ran inside the rootfs with the repo bound");
    List<String> env = Files.readAllLines(work.resolve("env.txt"));
    assertTrue(env.contains("CODEX_HOME=/work/.codex"), env.toString());
    assertTrue(env.contains("HOME=/work"), env.toString());
    assertFalse(env.stream().anyMatch(l -> l.startsWith("MAVEN") || l.startsWith("JAVA_HOME")), "environment cleared: " + env);
    assertEquals(NEW + "\n", Files.readString(work.resolve(".codex-session-id")));
  }

  @Test
  void newStartsFreshAndPrintRunsNothing() throws Exception {
    Files.writeString(work.resolve(".codex-session-id"), OLD + "\n");
    StringWriter printed = new StringWriter();
    assertEquals(0, bq2(printed, base("--print").toArray(String[]::new)));
    assertTrue(printed.toString().contains("codex: codex resume --add-dir /var"), printed.toString());
    assertTrue(printed.toString().contains("resume: " + OLD));
    assertTrue(printed.toString().contains("command: /usr/bin/unshare"), printed.toString());
    assertFalse(Files.exists(work.resolve("argv.txt")), "--print ran nothing");

    StringWriter out = new StringWriter();
    assertEquals(3, bq2(out, base("--new", "--", "-s", "workspace-write").toArray(String[]::new)));
    assertEquals("--add-dir /var --add-dir /opt --add-dir /workspace -C /work/bootstrap-qcow2 -s workspace-write",
        Files.readString(work.resolve("argv.txt")).strip());
    assertEquals(NEW + "\n", Files.readString(work.resolve(".codex-session-id")));
  }

  @Test
  void sessionShowAndClear() throws Exception {
    Path f = work.resolve(".codex-session-id");
    Files.writeString(f, OLD + "\n");
    StringWriter out = new StringWriter();
    assertEquals(0, bq2(out, "session", "show", "--session-file", f.toString()));
    assertEquals(OLD, out.toString().strip());
    out = new StringWriter();
    assertEquals(0, bq2(out, "session", "clear", "--session-file", f.toString()));
    assertFalse(Files.exists(f));
    out = new StringWriter();
    assertEquals(0, bq2(out, "session", "show", "--session-file", f.toString()));
    assertTrue(out.toString().startsWith("no session stored in"));
    Files.writeString(f, "rm -rf /\n");
    out = new StringWriter();
    assertEquals(2, bq2(out, "session", "show", "--session-file", f.toString()));
    assertTrue(out.toString().contains("not a session id"), out.toString());
  }
}
