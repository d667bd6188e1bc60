package dev.bq2.rootfs;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the autopilot works: the rootfs (and why: which candidates were checked), its kind, the
 * builder repo, and the runner and status commands to use. Built by {@link ContextDetector}.
 *
 * @param rootfsSource `--rootfs`, `BQ2_ROOTFS` or `detected`
 * @param repo null when no repo was found (then our own runner is used)
 */
@JsonPropertyOrder({"fs_root", "cwd", "rootfs", "rootfs_source", "seed_kind", "rootfs_candidates",
    "repo", "repo_source", "repo_candidates", "runner", "status"})
public record Context(
    Path fsRoot,
    Path cwd,
    Path rootfs,
    String rootfsSource,
    SeedKind seedKind,
    List<RootfsCandidate> rootfsCandidates,
    Path repo,
    String repoSource,
    List<RepoCandidate> repoCandidates,
    ToolCommand runner,
    ToolCommand status) {

  public Context {
    rootfsCandidates = List.copyOf(rootfsCandidates);
    repoCandidates = List.copyOf(repoCandidates);
  }

  public RootfsLayout layout() {
    return RootfsLayout.of(rootfs);
  }

  /**
   * The existing tool's host workdir `<hw>` when the rootfs is its host layout
   * (`<hw>/seed-rootfs/bq2-rootfs`, docs/formats.md#upstream-formats), else null.
   */
  public Path hostWorkdir() {
    Path p = rootfs;
    if (p.getFileName() != null && p.getFileName().toString().equals("bq2-rootfs")
        && p.getParent() != null && p.getParent().getFileName() != null
        && p.getParent().getFileName().toString().equals("seed-rootfs")) {
      return p.getParent().getParent();
    }
    return null;
  }

  /**
   * The runner's argv for one phase. The existing tool at HEAD knows no path flags: it is given
   * `--workdir=<hw>` for a host layout (nothing when in place). Ours and `--runner` commands get
   * the seed's explicit paths (`--plan --state-path --overrides --report-dir --phase`).
   */
  public List<String> runnerArgv(String phase) {
    List<String> argv = new ArrayList<>(runner.argv());
    argv.addAll(pathFlags(runner));
    argv.add("--phase");
    argv.add(phase);
    return argv;
  }

  /** The status command's argv, with the same path flags as the runner. */
  public List<String> statusArgv() {
    List<String> argv = new ArrayList<>(status.argv());
    argv.addAll(pathFlags(status));
    return argv;
  }

  /**
   * Where to start runner and status: the existing tool resolves relative host-setup paths
   * against the directory holding `data/sysroot` (docs/formats.md#upstream-formats), so start it there; ours
   * anywhere, the repo when known.
   */
  public Path toolCwd() {
    Path hw = hostWorkdir();
    if (hw != null && hw.endsWith(Path.of("data", "sysroot")) && hw.getParent().getParent() != null) {
      return hw.getParent().getParent();
    }
    return repo != null ? repo : cwd;
  }

  private List<String> pathFlags(ToolCommand tool) {
    if (tool.kind() == ToolCommand.Kind.REPO) {
      Path hw = hostWorkdir();
      return hw == null ? List.of() : List.of("--workdir=" + hw);
    }
    RootfsLayout l = layout();
    List<String> flags = new ArrayList<>(List.of("--plan", l.plan().toString(), "--state-path", l.state().toString(),
        "--overrides", l.overrides().toString(), "--report-dir", l.reportDir().toString()));
    // Step logs belong under the rootfs being built, never in the host's /var/lib (our runner's
    // default is relative to its --rootfs, which these flags do not set).
    if (tool.kind() == ToolCommand.Kind.OURS) flags.addAll(List.of("--log-dir", l.logDir().toString()));
    return flags;
  }

  /** The one line a command prints by default: what was chosen (the candidates are for `--verbose` and the journal). */
  public String summary() {
    return "rootfs " + rootfs + " (" + rootfsSource + "), repo "
        + (repo == null ? "none (our own runner and status)" : repo + " (" + repoSource + ")");
  }

  /** Human-readable lines: every candidate checked, what was chosen and why. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add("rootfs candidates checked:");
    for (RootfsCandidate c : rootfsCandidates) out.add("  " + c.describe());
    out.add("rootfs: " + rootfs + " (" + rootfsSource + "; " + seedKind.description() + ")");
    if (!repoCandidates.isEmpty()) {
      out.add("repo candidates checked:");
      for (RepoCandidate c : repoCandidates) out.add("  " + c.describe());
    }
    out.add("repo: " + (repo == null ? "none found (using our own runner and status)" : repo + " (" + repoSource + ")"));
    out.add("runner: " + runner.describe());
    out.add("status: " + status.describe());
    return out;
  }
}
