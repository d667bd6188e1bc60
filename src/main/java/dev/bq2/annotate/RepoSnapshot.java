package dev.bq2.annotate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The builder repo as it was before back-annotation touched it: HEAD, and the bytes of every
 * file that already had uncommitted changes. {@link #changed()} says what back-annotation (or the
 * assistant) changed since; {@link #restore()} puts all of it back, so a failed verification
 * leaves the repo exactly as it was. Paths under {@code excluded} (the session folders, when
 * they live inside the repo) are neither reported nor restored.
 */
public final class RepoSnapshot {
  private final GitRepo git;
  private final String head;
  private final Map<String, byte[]> dirty = new LinkedHashMap<>();
  private final String excluded;

  private RepoSnapshot(GitRepo git, Path excludedDir) {
    this.git = git;
    this.head = git.head();
    String ex = null;
    if (excludedDir != null) {
      Path abs = excludedDir.toAbsolutePath().normalize();
      if (abs.startsWith(git.root())) ex = git.root().relativize(abs).toString() + "/";
    }
    this.excluded = ex;
    for (String p : git.dirty(List.of())) {
      if (isExcluded(p)) continue;
      Path f = git.root().resolve(p);
      dirty.put(p, Files.isRegularFile(f) ? read(f) : null);
    }
  }

  public static RepoSnapshot take(GitRepo git, Path excludedDir) {
    return new RepoSnapshot(git, excludedDir);
  }

  public String head() {
    return head;
  }

  /** Repo-relative paths changed since the snapshot (new, modified or deleted files). */
  public List<String> changed() {
    List<String> out = new ArrayList<>();
    for (String p : git.dirty(List.of())) {
      if (isExcluded(p)) continue;
      if (!dirty.containsKey(p)) {
        out.add(p);
      } else {
        Path f = git.root().resolve(p);
        byte[] now = Files.isRegularFile(f) ? read(f) : null;
        if (!Arrays.equals(now, dirty.get(p))) out.add(p);
      }
    }
    return out;
  }

  /** Undoes everything since the snapshot: commits, changed and new files. */
  public void restore() {
    if (!git.head().equals(head)) git.resetSoft(head);
    for (String p : changed()) {
      Path f = git.root().resolve(p);
      if (dirty.containsKey(p)) {
        byte[] was = dirty.get(p);
        try {
          if (was == null) Files.deleteIfExists(f);
          else Files.write(f, was);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot restore " + f, e);
        }
      } else if (git.tracked(p)) {
        git.restoreFromHead(p);
      } else {
        delete(f);
      }
    }
  }

  private void delete(Path f) {
    try {
      if (Files.isDirectory(f)) {
        try (Stream<Path> walk = Files.walk(f)) {
          for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
      } else {
        Files.deleteIfExists(f);
      }
      // folders created for the file (patches/<pkg>/) go too, up to the first non-empty one
      Path dir = f.getParent();
      while (dir != null && !dir.equals(git.root()) && isEmptyDir(dir)) {
        Files.delete(dir);
        dir = dir.getParent();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + f, e);
    }
  }

  private static boolean isEmptyDir(Path d) throws IOException {
    if (!Files.isDirectory(d)) return false;
    try (Stream<Path> s = Files.list(d)) {
      return s.findAny().isEmpty();
    }
  }

  private boolean isExcluded(String p) {
    return excluded != null && (p + "/").startsWith(excluded);
  }

  private static byte[] read(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }
}
