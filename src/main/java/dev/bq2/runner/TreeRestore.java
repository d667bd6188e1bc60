package dev.bq2.runner;

import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.ExtractSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Puts a step's tree back as it was before its first build, before patches are applied, when
 * the step asks for a clean build (`clean_build`) or its definition changed since its last
 * attempt (a changed `CFLAGS` must never link stale objects). In order of preference:
 *
 * <ol>
 *   <li>re-extract the step's source archive, when an `extract-sources`/`populate-seed` step of
 *       the plan extracts it to exactly this workdir (into a temp sibling, then swapped in by
 *       rename, so a kill never leaves half a tree);
 *   <li>`git clean -fdx` and `git checkout -- .` when the workdir is the top of a git work tree;
 *   <li>sync back the pristine copy the runner took before the step's first attempt
 *       ({@link PristineTrees});
 *   <li>otherwise the strategy cleans in place (`make distclean`/`make clean`), and the step log
 *       says why.
 * </ol>
 *
 * Only strategies that build inside their workdir take part; the others (file writers, the
 * extract steps themselves, `shell`, and `cmake-project`, whose build dir is wiped anyway) run as
 * before.
 */
public final class TreeRestore {
  /** Strategies that compile inside their workdir, so a rebuild can meet stale objects there. */
  public static final Set<String> BUILDS_IN_TREE = Set.of("autotools", "cmake", "makefile-classic", "busybox",
      "linux-headers", "crystal-compiler", "crystal-build", "crystal");

  private static final Set<String> EXTRACTORS = Set.of("extract-sources", "populate-seed");

  /** An archive that extracts to the step's workdir. */
  record Archive(Path file, String buildDirectory) {}

  private final BuildPlan resolved;
  private final Path runnerCwd;
  private final Path cacheDir;
  private final PristineTrees pristine;
  private final Path rootfs;
  private final boolean cleanOnChange;
  private final RunLog log;

  /**
   * @param runnerCwd what relative plan paths of host phases are resolved against
   * @param cacheDir the runner's default sources directory (extract steps without `sources_directory`)
   * @param rootfs never copied: a workdir holding the rootfs (and so the pristine store) gets no copy
   */
  public TreeRestore(BuildPlan resolved, Path runnerCwd, Path cacheDir, PristineTrees pristine, Path rootfs,
      boolean cleanOnChange, RunLog log) {
    this.log = log;
    this.resolved = resolved;
    this.runnerCwd = runnerCwd;
    this.cacheDir = cacheDir;
    this.pristine = pristine;
    this.rootfs = rootfs.toAbsolutePath().normalize();
    this.cleanOnChange = cleanOnChange;
  }

  /** Whether the step's tree is looked after at all (it has a workdir and builds inside it). */
  public static boolean applies(BuildStep step) {
    return step.workdir() != null && BUILDS_IN_TREE.contains(step.strategy());
  }

  /**
   * Runs before patches. Takes the pristine copy on a step's first attempt when neither an
   * archive nor git can restore its tree, and restores the tree when a clean one is wanted.
   *
   * @param fingerprint the step's current fingerprint
   * @param lastAttempt the fingerprint of its last attempt, null when it was never attempted
   * @param stateKept false under `--no-resume`: attempts are then unknown, so no new copy is
   *     taken (the tree may already have been built) and no change is detected
   * @return true when the strategy should clean in place as a last resort
   */
  public boolean prepare(BuildPhase phase, BuildStep step, Path cwd, RootView view, CommandRunner commands,
      String fingerprint, String lastAttempt, boolean stateKept) throws StepFailedException, InterruptedException {
    if (!applies(step)) return step.isCleanBuild();
    boolean changed = cleanOnChange && lastAttempt != null && !lastAttempt.equals(fingerprint);
    String why = step.isCleanBuild() ? "clean_build" : "definition changed since the last attempt";
    boolean wanted = step.isCleanBuild() || changed;
    Path tree = cwd.toAbsolutePath().normalize();

    long t0 = System.nanoTime();
    Optional<Archive> archive = archiveFor(phase, tree, view);
    if (archive.isPresent()) {
      if (!wanted) return false;
      reextract(archive.get(), tree);
      say(commands, "Clean tree (" + why + "): re-extracted " + archive.get().file() + " into " + tree + " in " + secs(t0));
      return false;
    }
    if (isGitTop(tree)) {
      if (!wanted) return false;
      exec(List.of("git", "clean", "-fdx", "-q"), tree, "git clean -fdx in " + tree);
      exec(List.of("git", "checkout", "-q", "--", "."), tree, "git checkout -- . in " + tree);
      say(commands, "Clean tree (" + why + "): git clean -fdx and git checkout -- . in " + tree + " in " + secs(t0));
      return false;
    }
    Optional<Path> copy = pristine.copyOf(phase.name(), step.name(), tree);
    if (copy.isEmpty()) {
      String refused = copyRefused(tree);
      if (refused == null && stateKept && lastAttempt == null) {
        try {
          Path c = pristine.take(phase.name(), step.name(), tree, fingerprint);
          say(commands, "Pristine copy of " + tree + " kept in " + c + " (no source archive or git work tree restores it;"
              + " modes, times and owners kept, " + secs(t0) + ")");
          if (wanted) say(commands, "Clean tree (" + why + "): first attempt, the tree is as before its first build");
          return false;
        } catch (StepFailedException e) {
          say(commands, "WARN " + e.getMessage());
          refused = "copying it failed";
        }
      }
      if (!wanted) return false;
      if (refused == null) {
        refused = stateKept ? "the step was attempted before a copy could be taken"
            : "--no-resume: the runner cannot know whether the tree was built before";
      }
      say(commands, "Clean tree (" + why + "): no source archive, git work tree or pristine copy restores " + tree
          + " (no pristine copy: " + refused + "); falling back to the strategy's in-place clean (make distclean / make clean)");
      return true;
    }
    if (!wanted) return false;
    PristineTrees.Sync s;
    try {
      s = PristineTrees.sync(copy.get(), tree);
    } catch (IOException e) {
      throw new StepFailedException("Cannot restore " + tree + " from its pristine copy " + copy.get() + ": " + e
          + "; remove the tree and the copy and extract the sources again");
    }
    say(commands, "Clean tree (" + why + "): restored " + tree + " from its pristine copy " + copy.get() + " ("
        + s.removed() + " removed, " + s.restored() + " restored) in " + secs(t0));
    return false;
  }

  /** One line in the step log and on the runner's output: which method, and how long it took. */
  private void say(CommandRunner commands, String line) {
    commands.note(line);
    if (line.startsWith("WARN ")) log.warn(line.substring(5));
    else log.info(line);
  }

  /** Why no copy may be taken of this tree, or null. */
  private String copyRefused(Path tree) {
    if (tree.getParent() == null) return "the workdir is /";
    if (rootfs.startsWith(tree)) return "the workdir holds the rootfs " + rootfs;
    if (pristine.dir().toAbsolutePath().normalize().startsWith(tree)) return "the workdir holds " + pristine.dir();
    return null;
  }

  private static String secs(long t0) {
    return String.format(Locale.ROOT, "%.3fs", (System.nanoTime() - t0) / 1e9);
  }

  /**
   * An extract step's archive whose build directory is this workdir. Extract steps of host
   * phases resolve against the runner's cwd; those of phases with the step's own namespace
   * through the same root view.
   */
  Optional<Archive> archiveFor(BuildPhase phase, Path tree, RootView view) {
    for (BuildPhase p : resolved.phases()) {
      boolean host = "host".equalsIgnoreCase(p.namespace());
      boolean same = p.namespace() != null && p.namespace().equalsIgnoreCase(phase.namespace());
      if (!host && !same) continue;
      RootView v = host ? null : view;
      for (BuildStep s : p.steps()) {
        if (!EXTRACTORS.contains(s.strategy()) || s.extractSources() == null) continue;
        Path base = v != null ? (s.workdir() == null ? v.root() : v.hostPath(s.workdir(), v.root()))
            : s.workdir() == null ? runnerCwd : runnerCwd.resolve(s.workdir());
        Path dest = s.destdir() != null && !s.destdir().isEmpty() ? resolve(v, base, s.destdir()) : base;
        Path archives = s.sourcesDirectory() != null && !s.sourcesDirectory().isEmpty()
            ? resolve(v, base, s.sourcesDirectory()) : cacheDir;
        for (ExtractSpec e : s.extractSources()) {
          String bd = e.buildDirectory();
          if (bd == null || bd.isBlank() || Path.of(bd).normalize().toString().isEmpty() || bd.startsWith("/")) continue;
          if (!dest.resolve(bd).toAbsolutePath().normalize().equals(tree)) continue;
          Path file = archives.resolve(e.filename());
          if (Files.isRegularFile(file)) return Optional.of(new Archive(file, Path.of(bd).normalize().toString()));
        }
      }
    }
    return Optional.empty();
  }

  private static Path resolve(RootView v, Path base, String path) {
    return v != null ? v.hostPath(path, base) : base.resolve(path).normalize();
  }

  /** Extracts into a temp sibling and swaps it in by rename; the old tree goes only after the swap. */
  static void reextract(Archive a, Path tree) throws StepFailedException, InterruptedException {
    Path parent = tree.getParent();
    String name = tree.getFileName().toString();
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory(parent, "." + name + ".bq2-restore-");
      exec(List.of("tar", "-xf", a.file().toString(), "-C", tmp.toString()), tmp, "extract " + a.file());
      Path fresh = tmp.resolve(a.buildDirectory());
      if (!Files.isDirectory(fresh, LinkOption.NOFOLLOW_LINKS)) {
        throw new StepFailedException("Cannot restore " + tree + ": " + a.file() + " has no " + a.buildDirectory()
            + "; fix build_directory of its extract step");
      }
      Path old = tmp.resolve(".old-tree");
      Files.move(tree, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(fresh, tree, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StepFailedException("Cannot restore " + tree + " from " + a.file() + ": " + e);
    } finally {
      if (tmp != null) deleteRecursively(tmp);
    }
  }

  /** True when `tree` is the top of a git work tree with at least one commit. */
  static boolean isGitTop(Path tree) throws InterruptedException {
    if (!Files.exists(tree.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) return false;
    Captured top = capture(List.of("git", "rev-parse", "--show-toplevel"), tree);
    if (top == null || top.exit() != 0) return false;
    try {
      if (!Path.of(top.output().strip()).toRealPath().equals(tree.toRealPath())) return false;
    } catch (IOException e) {
      return false;
    }
    Captured head = capture(List.of("git", "rev-parse", "-q", "--verify", "HEAD"), tree);
    return head != null && head.exit() == 0;
  }

  record Captured(int exit, String output) {}

  /** Output goes to a temp file, not a pipe, so that waiting stays interruptible by a signal. */
  private static Captured capture(List<String> argv, Path dir) throws InterruptedException {
    Path out;
    try {
      out = Files.createTempFile("bq2-restore-", ".out");
    } catch (IOException e) {
      return null;
    }
    Process p = null;
    try {
      p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(out.toFile()).start();
      int exit = p.waitFor();
      return new Captured(exit, new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null;
    } finally {
      if (p != null && p.isAlive()) p.destroyForcibly();
      try {
        Files.deleteIfExists(out);
      } catch (IOException e) {
        // a temp file left behind is harmless
      }
    }
  }

  /**
   * Runs a host command of the restore itself (tar, git, cp: the files are the runner's, on the
   * host, even for a phase whose build commands enter a rootfs); fails with its output.
   */
  static void exec(List<String> argv, Path dir, String what) throws StepFailedException, InterruptedException {
    Captured c = capture(argv, dir);
    if (c == null) throw new StepFailedException("Cannot " + what + ": cannot run " + argv.get(0));
    if (c.exit() != 0) {
      String out = c.output().strip();
      if (out.length() > 2000) out = out.substring(0, 2000) + " ...";
      throw new StepFailedException("Cannot " + what + ": " + String.join(" ", argv) + " exited with " + c.exit()
          + (out.isEmpty() ? "" : ": " + out));
    }
  }

  static void deleteRecursively(Path root) throws StepFailedException {
    Trees.deleteRecursively(root);
  }

  static void deleteTree(Path root) throws IOException {
    Trees.deleteTree(root);
  }
}
