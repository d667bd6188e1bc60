package dev.bq2.annotate;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The few git operations back-annotation needs, run with the `git` binary in the builder repo. */
public final class GitRepo {
  private final Path root;

  private GitRepo(Path root) {
    this.root = root;
  }

  /** The work tree holding {@code dir}; refuses a folder that is not in a git repo or has no commit. */
  public static GitRepo at(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw Bq2Exception.badInput(abs + ": builder repo not found; pass --repo DIR (a git checkout)");
    }
    Result r = run(abs, List.of("rev-parse", "--show-toplevel"));
    if (r.exit != 0) {
      throw Bq2Exception.badInput(abs + ": not a git repository (" + r.firstLine() + "); pass --repo DIR (a git checkout)");
    }
    GitRepo repo = new GitRepo(Path.of(r.out.strip()));
    if (run(repo.root, List.of("rev-parse", "--verify", "-q", "HEAD")).exit != 0) {
      throw Bq2Exception.badInput(repo.root + ": the repository has no commit yet; commit the builder first");
    }
    return repo;
  }

  public Path root() {
    return root;
  }

  public String head() {
    return ok(List.of("rev-parse", "HEAD")).strip();
  }

  /** Repo-relative paths with uncommitted changes (staged, unstaged, untracked; not ignored), limited to {@code paths} when given. */
  public Set<String> dirty(List<String> paths) {
    List<String> args = new ArrayList<>(List.of("status", "--porcelain=v1", "-z", "--untracked-files=all", "--"));
    args.addAll(paths.isEmpty() ? List.of(".") : paths);
    String out = ok(args);
    Set<String> files = new LinkedHashSet<>();
    String[] parts = out.split("\0");
    for (int i = 0; i < parts.length; i++) {
      String e = parts[i];
      if (e.length() < 4) continue;
      files.add(e.substring(3));
      if (e.charAt(0) == 'R' || e.charAt(0) == 'C') i++; // the rename's source follows
    }
    return files;
  }

  public boolean tracked(String path) {
    return run(root, List.of("cat-file", "-e", "HEAD:" + path)).exit == 0;
  }

  public void restoreFromHead(String path) {
    ok(List.of("reset", "-q", "HEAD", "--", path));
    ok(List.of("checkout", "-q", "HEAD", "--", path));
  }

  public void resetSoft(String commit) {
    ok(List.of("reset", "-q", "--soft", commit));
  }

  /** Stages exactly {@code paths} (additions, changes, deletions) and commits them with {@code message}. */
  public String commit(List<String> paths, String message) {
    List<String> add = new ArrayList<>(List.of("add", "-A", "--"));
    add.addAll(paths);
    ok(add);
    List<String> commit = new ArrayList<>();
    if (run(root, List.of("config", "user.email")).exit != 0) {
      commit.addAll(List.of("-c", "user.name=bq2 back-annotate", "-c", "user.email=bq2@localhost"));
    }
    commit.addAll(List.of("commit", "-q", "--no-verify", "-F", "-", "--"));
    commit.addAll(paths);
    Result r = run(root, commit, message);
    if (r.exit != 0) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "git commit in " + root + " failed: " + r.firstLine());
    }
    return head();
  }

  public String show(String what) {
    return ok(List.of("show", "-s", "--format=%B", what));
  }

  private String ok(List<String> args) {
    return git(root, args);
  }

  /** Runs `git -C dir args` and returns its stdout; a non-zero exit is an error naming the command and folder. */
  public static String git(Path dir, List<String> args) {
    Result r = run(dir, args);
    if (r.exit != 0) {
      throw new Bq2Exception(ExitCodes.STEP_FAILED, "git " + String.join(" ", args) + " in " + dir + " failed: " + r.firstLine());
    }
    return r.out;
  }

  record Result(int exit, String out, String err) {
    String firstLine() {
      String s = (err.isBlank() ? out : err).strip();
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }
  }

  static Result run(Path dir, List<String> args) {
    return run(dir, args, null);
  }

  static Result run(Path dir, List<String> args, String stdin) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(args);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("GIT_TERMINAL_PROMPT", "0");
      pb.environment().put("LC_ALL", "C");
      Process p = pb.start();
      // Both pipes drained on threads of their own, so the timeout below bounds a git that hangs
      // with its output open, and git never blocks on a full pipe.
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread outReader = drain(p.getInputStream(), out);
      Thread errReader = drain(p.getErrorStream(), err);
      if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new Bq2Exception(ExitCodes.STEP_FAILED, "git " + String.join(" ", args) + " in " + dir + " did not finish in 120 s");
      }
      outReader.join(5000);
      errReader.join(5000);
      return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw Bq2Exception.badInput("cannot run git (" + e.getMessage() + "); install git");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Bq2Exception(ExitCodes.INTERRUPTED, "interrupted while running git");
    }
  }

  private static Thread drain(java.io.InputStream in, ByteArrayOutputStream to) {
    Thread t = new Thread(() -> {
      try {
        in.transferTo(to);
      } catch (IOException ignored) {
        // the process was killed; what was read is kept
      }
    }, "git-output");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
