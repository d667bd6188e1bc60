package dev.bq2.rootfs;

import dev.bq2.Bq2Exception;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds the rootfs, the builder repo and the runner/status commands the way seed 001 (the
 * bq2-iterate skill) does, plus the existing tool's host layout (docs/formats.md#upstream-formats).
 *
 * <p>Every built-in absolute candidate path is resolved under {@link #fsRoot} (default `/`), so
 * tests and `--fs-root` can stand a whole fake tree in a directory. Paths the user gives
 * (`--rootfs`, `BQ2_ROOTFS`, `--repo`, the current directory) are taken as they are.
 */
public final class ContextDetector {
  public static final String ENV_ROOTFS = "BQ2_ROOTFS";
  static final String FIX =
      "pass --rootfs DIR (the directory holding var/lib/sysroot-build-plan.json) or set BQ2_ROOTFS";

  private Path fsRoot = Path.of("/");
  private Path cwd = Path.of("").toAbsolutePath();
  private Map<String, String> env = System.getenv();
  private Path rootfs;
  private Path repo;
  private String runner;
  private String statusCommand;

  /** `$BQ2_ROOTFS` of this process, or null when unset or blank (as for detection). */
  public static Path envRootfs() {
    String v = blankToNull(System.getenv(ENV_ROOTFS));
    return v == null ? null : Path.of(v);
  }

  public ContextDetector fsRoot(Path dir) {
    if (dir != null) this.fsRoot = dir.toAbsolutePath().normalize();
    return this;
  }

  public ContextDetector cwd(Path dir) {
    if (dir != null) this.cwd = dir.toAbsolutePath().normalize();
    return this;
  }

  /** The environment to read `BQ2_ROOTFS` and `HOME` from (default: the process environment). */
  public ContextDetector env(Map<String, String> env) {
    if (env != null) this.env = env;
    return this;
  }

  public ContextDetector rootfs(Path dir) {
    this.rootfs = dir;
    return this;
  }

  public ContextDetector repo(Path dir) {
    this.repo = dir;
    return this;
  }

  /** `--runner CMD`: words separated by spaces (no quoting). */
  public ContextDetector runner(String cmd) {
    this.runner = blankToNull(cmd);
    return this;
  }

  /** `--status-command CMD`: words separated by spaces (no quoting). */
  public ContextDetector statusCommand(String cmd) {
    this.statusCommand = blankToNull(cmd);
    return this;
  }

  public Context detect() {
    List<RepoCandidate> repoCandidates = new ArrayList<>();
    String[] repoSource = new String[1];
    Path repoDir = detectRepo(repoCandidates, repoSource);

    List<RootfsCandidate> candidates = new ArrayList<>();
    String source;
    Path chosen;
    String envRootfs = blankToNull(env.get(ENV_ROOTFS));
    if (rootfs != null) {
      chosen = explicit("--rootfs", rootfs, candidates);
      source = "--rootfs";
    } else if (envRootfs != null) {
      chosen = explicit(ENV_ROOTFS, Path.of(envRootfs), candidates);
      source = ENV_ROOTFS;
    } else {
      chosen = detectRootfs(repoDir, candidates);
      source = "detected";
    }

    ToolCommand runnerCmd = tool(runner, "--runner", repoDir, "sysroot-runner");
    ToolCommand statusCmd = tool(statusCommand, "--status-command", repoDir, "sysroot-status");
    return new Context(fsRoot, cwd, chosen, source, SeedKind.classify(chosen), candidates,
        repoDir, repoSource[0], repoCandidates, runnerCmd, statusCmd);
  }

  /** A user-chosen rootfs wins over detection, but must hold the plan. */
  private Path explicit(String label, Path dir, List<RootfsCandidate> candidates) {
    RootfsCandidate c = RootfsCandidate.check(label, cwd.resolve(dir));
    candidates.add(c);
    if (!c.found()) {
      throw Bq2Exception.badInput(label + " " + dir + ": no plan at " + c.plan()
          + "; pass the directory that holds var/lib/sysroot-build-plan.json");
    }
    return c.rootfs();
  }

  /** The seed's candidates in its order, then the host layout under the current directory and under the repo. */
  private Path detectRootfs(Path repoDir, List<RootfsCandidate> candidates) {
    List<RootfsCandidate> order = new ArrayList<>();
    order.add(RootfsCandidate.check("in place", fsRoot));
    order.add(RootfsCandidate.check("outer rootfs", under("/workspace/rootfs")));
    order.add(RootfsCandidate.check("repo data/sysroot/rootfs", under("/work/bootstrap-qcow2/data/sysroot/rootfs")));
    Path hostLayout = Path.of("data", "sysroot", "seed-rootfs", "bq2-rootfs");
    order.add(RootfsCandidate.check("host layout under the current directory", cwd.resolve(hostLayout)));
    if (repoDir != null) {
      order.add(RootfsCandidate.check("host layout under the repo", repoDir.resolve(hostLayout)));
    }
    Path chosen = null;
    for (RootfsCandidate c : order) {
      if (candidates.stream().anyMatch(seen -> seen.plan().equals(c.plan()))) continue;
      candidates.add(c);
      if (c.found()) {
        chosen = c.rootfs();
        break;
      }
    }
    if (chosen == null) {
      String checked = candidates.stream().map(c -> c.plan().toString()).collect(Collectors.joining(", "));
      throw Bq2Exception.badInput("no rootfs found (checked " + checked + "); " + FIX);
    }
    return chosen;
  }

  private Path detectRepo(List<RepoCandidate> candidates, String[] source) {
    if (repo != null) {
      Path dir = cwd.resolve(repo).normalize();
      candidates.add(new RepoCandidate("--repo", dir, Files.isDirectory(dir)));
      if (!Files.isDirectory(dir)) {
        throw Bq2Exception.badInput("--repo " + repo + ": not a directory (" + dir + "); pass the bootstrap-qcow2 checkout");
      }
      source[0] = "--repo";
      return dir;
    }
    List<RepoCandidate> order = new ArrayList<>();
    order.add(dirCandidate("/work", under("/work/bootstrap-qcow2")));
    order.add(dirCandidate("/workspace", under("/workspace/bootstrap-qcow2")));
    List<Path> versions = glob(under("/workspace"), "bootstrap-qcow2-*");
    if (versions.isEmpty()) {
      order.add(new RepoCandidate("/workspace glob", under("/workspace/bootstrap-qcow2-*"), false));
    }
    for (Path v : versions) order.add(dirCandidate("/workspace glob", v));
    String home = blankToNull(env.get("HOME"));
    if (home != null) order.add(dirCandidate("~/workspace", under(home).resolve("workspace/bootstrap-qcow2")));
    for (RepoCandidate c : order) {
      candidates.add(c);
      if (c.found()) {
        source[0] = "detected (" + c.label() + ")";
        return c.path();
      }
    }
    return null;
  }

  private ToolCommand tool(String given, String flag, Path repoDir, String name) {
    if (given != null) {
      return new ToolCommand(ToolCommand.Kind.GIVEN, flag, Arrays.asList(given.trim().split("\\s+")));
    }
    if (repoDir != null) {
      Path bin = repoDir.resolve("bin").resolve(name);
      if (Files.isRegularFile(bin) && Files.isExecutable(bin)) {
        return new ToolCommand(ToolCommand.Kind.REPO, "the repo's bin/" + name, List.of(bin.toString()));
      }
    }
    return new ToolCommand(ToolCommand.Kind.OURS, "ours: bq2 " + name, OwnCommand.argv(name));
  }

  private static RepoCandidate dirCandidate(String label, Path dir) {
    return new RepoCandidate(label, dir, Files.isDirectory(dir));
  }

  private static List<Path> glob(Path dir, String pattern) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
      for (Path p : ds) if (Files.isDirectory(p)) out.add(p);
    } catch (IOException e) {
      return out;
    }
    out.sort(null);
    return out;
  }

  /** An absolute candidate path inside the (possibly fake) file system root. */
  private Path under(String absolute) {
    String rel = absolute.replaceFirst("^/+", "");
    return rel.isEmpty() ? fsRoot : fsRoot.resolve(rel).normalize();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
