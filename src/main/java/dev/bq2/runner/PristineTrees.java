package dev.bq2.runner;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.state.Timestamps;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Copies of step trees taken before their first build (`var/lib/sysroot-build-pristine/<phase>/<step>/`:
 * `tree/` and `pristine.json`), for steps whose tree neither an archive nor git can restore.
 *
 * <p>The copy is `cp -a --reflink=auto`, so it costs next to nothing on a file system with
 * reflinks (btrfs, XFS) and keeps timestamps, which autotools needs to not regenerate files.
 * Restoring syncs the tree back to the copy: what the build created is removed, what it
 * changed (objects, but also tracked files such as `Makefile.in`) is copied back with its
 * original attributes, and unchanged files are not touched.
 */
public final class PristineTrees {
  static final String INFO = "pristine.json";
  static final String TREE = "tree";

  /**
   * What the copy is a copy of (a copy of another workdir, the workdir was overridden, is
   * discarded), and the fingerprint of the attempt it was taken for: the copy is written before
   * that attempt builds, so it records the attempt and the runner need not save the state for it.
   */
  @JsonPropertyOrder({"workdir", "taken_at", "fingerprint"})
  record Info(String workdir, String takenAt, String fingerprint) {}

  /** How many entries a restore removed and copied back. */
  public record Sync(int removed, int restored) {}

  private final Path dir;

  public PristineTrees(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** `<dir>/<phase>/<step>`; names are plan ids, a `/` in one would escape, so it is replaced. */
  Path stepDir(String phase, String step) {
    return dir.resolve(safe(phase)).resolve(safe(step));
  }

  private static String safe(String name) {
    String s = name.replace('/', '_');
    return s.equals(".") || s.equals("..") ? "_" + s : s;
  }

  /** The copy of `tree` for this step, if one was taken of this very workdir. */
  public Optional<Path> copyOf(String phase, String step, Path tree) {
    return info(phase, step, tree).map(i -> stepDir(phase, step).resolve(TREE));
  }

  /**
   * The fingerprint of the attempt the copy of `tree` was taken for (null when there is no such
   * copy, or it was taken by a version that did not record it).
   */
  public String attemptOf(String phase, String step, Path tree) {
    return info(phase, step, tree).map(Info::fingerprint).orElse(null);
  }

  private Optional<Info> info(String phase, String step, Path tree) {
    Path d = stepDir(phase, step);
    Path info = d.resolve(INFO);
    if (!Files.isRegularFile(info) || !Files.isDirectory(d.resolve(TREE), LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
    try {
      Info i = Json.parse(info, Files.readString(info), Info.class, "remove " + d + " (the runner takes a new copy)");
      if (!tree.toAbsolutePath().normalize().toString().equals(i.workdir())) return Optional.empty();
      return Optional.of(i);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Trees at most this big are copied in-process ({@link #sync} into an empty folder): starting
   * a `cp` child costs the runner ~10-20 ms a step, far more than copying a few small files
   * (bench/runner-overhead.sh). Anything bigger, or holding devices, fifos or sockets, goes to
   * `cp -a --reflink=auto`, which shares blocks on btrfs/XFS.
   */
  static final int IN_PROCESS_MAX_ENTRIES = 256;
  static final long IN_PROCESS_MAX_BYTES = 8L << 20;

  /**
   * Copies `tree` (in-process when small, else `cp -a --reflink=auto`) into a temp folder, then
   * renames it into place; `pristine.json`, written last, makes it a copy.
   *
   * @param fingerprint the fingerprint of the attempt about to build the tree (null: not recorded)
   */
  public Path take(String phase, String step, Path tree, String fingerprint) throws StepFailedException, InterruptedException {
    Path d = stepDir(phase, step);
    try {
      TreeRestore.deleteRecursively(d);
      Files.createDirectories(d);
      Path tmp = Files.createTempDirectory(d, TREE + ".tmp-");
      if (small(tree)) {
        sync(tree, tmp);
      } else {
        TreeRestore.exec(List.of("cp", "-a", "--reflink=auto", tree + "/.", tmp.toString()), d, "copy " + tree);
      }
      Files.move(tmp, d.resolve(TREE), StandardCopyOption.ATOMIC_MOVE);
      AtomicFile.writeJson(d.resolve(INFO), new Info(tree.toAbsolutePath().normalize().toString(),
          Timestamps.state(Instant.now()), fingerprint));
    } catch (IOException e) {
      throw new StepFailedException("Cannot keep a pristine copy of " + tree + " in " + d + ": " + e);
    }
    return d.resolve(TREE);
  }

  /** Where {@link #remove} moves a copy before deleting it. */
  static final String TRASH_PREFIX = ".trash-";

  /** Deletes removed copies while the next step builds; started on the first {@link #remove}. */
  private ExecutorService deleter;
  private long trashCount;

  /**
   * Removes the step's copy (the step completed): renamed aside at once, so that no half-deleted
   * copy is ever taken for one, then deleted by a background thread while the next step builds,
   * and the phase folder and the store itself are left for the next step ({@link #pruneEmpty}
   * at the end of the run). On this VM's ext4 an rmdir waits ~1 ms on the disk, more than the
   * rest of a small step's bookkeeping (bench/runner-overhead.sh).
   */
  public void remove(String phase, String step) throws StepFailedException {
    Path d = stepDir(phase, step);
    if (!Files.exists(d, LinkOption.NOFOLLOW_LINKS)) return;
    // pid and a count: one runner per rootfs; a name left by a killed run makes the rename fail, then we delete in place
    Path trash = dir.resolve(TRASH_PREFIX + ProcessHandle.current().pid() + "-" + (++trashCount));
    try {
      Files.move(d, trash, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      TreeRestore.deleteRecursively(d);
      return;
    }
    if (deleter == null) {
      deleter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bq2-pristine-delete");
        t.setDaemon(true);
        return t;
      });
    }
    deleter.execute(() -> deleteQuietly(trash));
  }

  /**
   * Waits for the background deletes, removes what a killed runner left aside, then the phase
   * folders left empty by {@link #remove}, then the store when it is empty.
   */
  public void pruneEmpty() throws InterruptedException {
    if (deleter != null) {
      deleter.shutdown();
      while (!deleter.awaitTermination(1, TimeUnit.MINUTES)) {
        // a huge copy on a slow disk: keep waiting, the run is not over before it is gone
      }
      deleter = null;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        if (p.getFileName().toString().startsWith(TRASH_PREFIX)) deleteQuietly(p);
        else deleteIfEmpty(p);
      }
    } catch (IOException e) {
      return; // an empty folder left behind is harmless
    }
    deleteIfEmpty(dir);
  }

  private static void deleteQuietly(Path p) {
    try {
      TreeRestore.deleteTree(p);
    } catch (IOException e) {
      // left aside under a name no step uses; the next run's pruneEmpty tries again
    }
  }

  private static void deleteIfEmpty(Path d) {
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> rest = Files.list(d)) {
      if (rest.findAny().isEmpty()) Files.deleteIfExists(d);
    } catch (IOException e) {
      // not empty after all, or not ours to remove: harmless
    }
  }

  /**
   * Makes `tree` equal to `copy`: entries missing from the copy or of another kind are deleted,
   * missing or changed files (size, mtime or mode differ) and symlinks are copied back with
   * their attributes, directory modes and mtimes are restored last.
   */
  public static Sync sync(Path copy, Path tree) throws IOException {
    int[] removed = {0};
    int[] restored = {0};
    Files.walkFileTree(tree, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        if (d.equals(tree)) return FileVisitResult.CONTINUE;
        Path src = copy.resolve(tree.relativize(d).toString());
        if (!Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
          TreeRestore.deleteTree(d);
          removed[0]++;
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Path src = copy.resolve(tree.relativize(f).toString());
        BasicFileAttributes s = attrs(src);
        if (s == null || kind(s) != kind(attrs)) {
          Files.delete(f);
          removed[0]++;
        }
        return FileVisitResult.CONTINUE;
      }
    });
    Files.walkFileTree(copy, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        Path target = tree.resolve(copy.relativize(d).toString());
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(target);
          restored[0]++;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Path target = tree.resolve(copy.relativize(f).toString());
        if (attrs.isSymbolicLink()) {
          Path link = Files.readSymbolicLink(f);
          if (!Files.isSymbolicLink(target) || !Files.readSymbolicLink(target).equals(link)) {
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, link);
            restored[0]++;
          }
        } else if (attrs.isRegularFile()) {
          PosixFileAttributes t = posix(target);
          if (t == null || t.size() != attrs.size() || !t.lastModifiedTime().equals(attrs.lastModifiedTime())
              || !t.permissions().equals(posix(f).permissions())) {
            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                LinkOption.NOFOLLOW_LINKS);
            restored[0]++;
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null) throw exc;
        Path target = tree.resolve(copy.relativize(d).toString());
        PosixFileAttributes a = posix(d);
        PosixFileAttributes t = posix(target);
        if (t != null && (!t.owner().equals(a.owner()) || !t.group().equals(a.group()))) {
          try {
            // as `cp -a` does: the owner where we may set it (root), else the file stays ours
            PosixFileAttributeView v = Files.getFileAttributeView(target, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            v.setOwner(a.owner());
            v.setGroup(a.group());
          } catch (IOException e) {
            // not permitted: keep going
          }
        }
        Files.setPosixFilePermissions(target, a.permissions());
        Files.setLastModifiedTime(target, a.lastModifiedTime());
        return FileVisitResult.CONTINUE;
      }
    });
    return new Sync(removed[0], restored[0]);
  }

  /** True when `tree` holds only directories, regular files and symlinks, within the in-process bounds. */
  static boolean small(Path tree) throws IOException {
    int entries = 0;
    long bytes = 0;
    try (Stream<Path> all = Files.walk(tree)) {
      for (java.util.Iterator<Path> it = all.iterator(); it.hasNext(); ) {
        BasicFileAttributes a = attrs(it.next());
        if (a == null || kind(a) == 4 || ++entries > IN_PROCESS_MAX_ENTRIES) return false;
        if (a.isRegularFile() && (bytes += a.size()) > IN_PROCESS_MAX_BYTES) return false;
      }
    }
    return true;
  }

  private static int kind(BasicFileAttributes a) {
    return a.isSymbolicLink() ? 1 : a.isDirectory() ? 2 : a.isRegularFile() ? 3 : 4;
  }

  private static BasicFileAttributes attrs(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }

  private static PosixFileAttributes posix(Path p) {
    try {
      return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }
}
