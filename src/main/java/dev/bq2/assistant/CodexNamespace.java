package dev.bq2.assistant;

import dev.bq2.Bq2Exception;
import dev.bq2.namespace.Bind;
import dev.bq2.namespace.NamespaceEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An interactive Codex session inside the rootfs (`bq2 codex-namespace`), as the seeds describe:
 * the work folder at `/work` (CODEX_HOME `/work/.codex`), the repo at `/work/bootstrap-qcow2`,
 * `codex resume <id>` when an id is stored, and afterwards the newest session's id stored again.
 */
public final class CodexNamespace {
  public static final String REPO_INSIDE = "/work/bootstrap-qcow2";
  public static final List<String> ADD_DIRS = List.of("/var", "/opt", "/workspace");
  /** Variables copied from the caller into the cleared environment inside, when set. */
  public static final List<String> PASSED_ENV = List.of("TERM", "LANG", "OPENAI_API_KEY", "CODEX_API_KEY");

  /**
   * @param rootfs the rootfs to enter (host path)
   * @param workDir host folder bound at /work (CODEX_HOME is its `.codex`)
   * @param repo host repo bound at /work/bootstrap-qcow2
   * @param codex the Codex command inside the rootfs (looked up on the inside PATH, `/work/bin` first)
   * @param codexArgs extra arguments for Codex
   */
  public record Options(
      Path rootfs, Path workDir, Path repo, List<Bind> binds, SessionFile session, boolean fresh,
      String codex, List<String> codexArgs, Map<String, String> callerEnv) {}

  /** What would run: the entry, Codex's argv inside, the stored id it resumes (if any). */
  public record Plan(NamespaceEntry entry, List<String> codexArgv, Optional<String> resumeId) {
    public List<String> hostArgv() {
      return entry.wrap(codexArgv);
    }
  }

  private CodexNamespace() {}

  public static Plan plan(Options o) {
    Path work = o.workDir().toAbsolutePath().normalize();
    Path repo = o.repo().toAbsolutePath().normalize();
    if (!Files.isDirectory(work)) throw Bq2Exception.badInput("--work-dir " + work + " does not exist; create it (it is bound at /work)");
    NamespaceEntry.Builder b = NamespaceEntry.builder(o.rootfs())
        .bind(work, "/work");
    if (!repo.equals(work.resolve("bootstrap-qcow2"))) b.bind(repo, REPO_INSIDE);
    Path rootfs = o.rootfs().toAbsolutePath().normalize();
    Path sysroot = rootfs.getParent() == null ? null : rootfs.getParent().resolve("opt/sysroot");
    if (rootfs.getFileName() != null && rootfs.getFileName().toString().equals("bq2-rootfs")
        && sysroot != null && Files.isDirectory(sysroot) && o.binds().stream().noneMatch(x -> x.target().equals("/opt/sysroot"))) {
      b.bind(sysroot, "/opt/sysroot");
    }
    o.binds().forEach(b::bind);
    b.env("HOME", "/work").env("CODEX_HOME", "/work/.codex")
        .env("PATH", "/work/bin:" + NamespaceEntry.DEFAULT_PATH).workdir(REPO_INSIDE);
    for (String name : PASSED_ENV) {
      String v = o.callerEnv().get(name);
      if (v != null) b.env(name, v);
    }
    Optional<String> resume = o.fresh() ? Optional.empty() : o.session().read();
    List<String> argv = new ArrayList<>();
    argv.add(o.codex());
    if (resume.isPresent()) argv.add("resume");
    for (String d : ADD_DIRS) argv.addAll(List.of("--add-dir", d));
    argv.addAll(List.of("-C", REPO_INSIDE));
    argv.addAll(o.codexArgs());
    resume.ifPresent(argv::add);
    return new Plan(b.build(), argv, resume);
  }

  /** Runs Codex inside with the terminal attached; stores the newest session id afterwards. Returns Codex's exit code. */
  public static int run(Options o, Plan plan) throws InterruptedException {
    Path codexHome = o.workDir().toAbsolutePath().normalize().resolve(".codex");
    try {
      Files.createDirectories(codexHome);
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot create " + codexHome + " (CODEX_HOME inside): " + e.getMessage());
    }
    plan.entry().probe();
    int rc;
    try {
      rc = new ProcessBuilder(plan.hostArgv()).inheritIO().start().waitFor();
    } catch (IOException e) {
      throw Bq2Exception.needsPerson("cannot start " + plan.hostArgv().get(0) + ": " + e.getMessage());
    }
    CodexSessions.newest(codexHome).ifPresent(id -> o.session().write(id));
    return rc;
  }
}
