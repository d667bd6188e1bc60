package dev.bq2.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pristine copy is the same tree whichever way it is taken: in-process for a small tree,
 * `cp -a` for a big one or one with special files (modes, mtimes of files and folders, owners,
 * symlinks, contents).
 */
class PristineTreesTest {
  @TempDir Path dir;

  @Test
  void aSmallTreeIsCopiedInProcessWithEverythingCpWouldKeep() throws Exception {
    Path tree = sample(dir.resolve("small"), 3);
    assertTrue(PristineTrees.small(tree), "a few small files are copied in-process");
    Path copy = new PristineTrees(dir.resolve("pristine")).take("p", "s", tree, null);
    assertSameTree(tree, copy);
  }

  @Test
  void aBigTreeOrOneWithAFifoGoesToCpAndComesOutTheSame() throws Exception {
    Path big = sample(dir.resolve("big"), PristineTrees.IN_PROCESS_MAX_ENTRIES + 1);
    assertFalse(PristineTrees.small(big), "more entries than the in-process bound");
    assertSameTree(big, new PristineTrees(dir.resolve("pristine")).take("p", "big", big, null));

    Path fifo = sample(dir.resolve("fifo"), 2);
    Process mk = new ProcessBuilder("mkfifo", fifo.resolve("pipe").toString()).start();
    assertEquals(0, mk.waitFor());
    assertFalse(PristineTrees.small(fifo), "a fifo is left to cp");
  }

  /**
   * A completed step's copy is gone for {@link PristineTrees#copyOf} at once (renamed aside,
   * deleted in the background); after {@link PristineTrees#pruneEmpty} nothing is left, not even
   * what a killed runner had set aside.
   */
  @Test
  void removedCopiesGoAtOnceAndTheStoreIsEmptyAfterPruning() throws Exception {
    Path tree = sample(dir.resolve("tree"), 3);
    Path store = dir.resolve("pristine");
    PristineTrees p = new PristineTrees(store);
    p.take("p", "a", tree, "fp-a");
    p.take("q", "b", tree, "fp-b");
    assertEquals("fp-a", p.attemptOf("p", "a", tree));
    Path leftover = Files.createDirectories(store.resolve(PristineTrees.TRASH_PREFIX + "1-1/tree/src"));
    Files.writeString(leftover.resolve("x.c"), "int x;\n");

    p.remove("p", "a");
    assertTrue(p.copyOf("p", "a", tree).isEmpty(), "no copy once removed");
    assertTrue(p.copyOf("q", "b", tree).isPresent(), "the other step's copy stays");
    assertEquals(null, p.attemptOf("p", "a", tree));
    p.remove("q", "b");
    p.pruneEmpty();
    assertFalse(Files.exists(store), "the store is gone: " + (Files.exists(store) ? Files.list(store).toList() : ""));
    assertTrue(Files.isRegularFile(tree.resolve("configure")));
  }

  /** Files with modes, old mtimes and another owner, a folder likewise, a symlink. */
  private static Path sample(Path root, int files) throws Exception {
    Path sub = Files.createDirectories(root.resolve("src/sub"));
    for (int i = 0; i < files; i++) {
      Path f = sub.resolve("f" + i + ".c");
      Files.writeString(f, "int f" + i + ";\n");
      Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000_000L + i * 1000L));
    }
    Path script = root.resolve("configure");
    Files.writeString(script, "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x--x"));
    Files.setLastModifiedTime(script, FileTime.fromMillis(900_000_000_000L));
    Files.createSymbolicLink(root.resolve("link"), Path.of("src/sub/f0.c"));
    Process chown = new ProcessBuilder("chown", "-R", "1234:2345", sub.toString()).start();
    assertEquals(0, chown.waitFor(), "tests run as root (as CI does)");
    Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-x---"));
    Files.setLastModifiedTime(sub, FileTime.fromMillis(950_000_000_000L));
    Files.setLastModifiedTime(root.resolve("src"), FileTime.fromMillis(960_000_000_000L));
    return root;
  }

  private static void assertSameTree(Path a, Path b) throws Exception {
    List<String> left = describe(a);
    List<String> right = describe(b);
    assertEquals(left, right);
    assertTrue(left.size() > 5, left.toString());
  }

  private static List<String> describe(Path root) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted().toList()) {
        if (p.equals(root)) continue;
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String what = a.isSymbolicLink() ? "-> " + Files.readSymbolicLink(p)
            : a.isDirectory() ? "dir " + a.lastModifiedTime().toMillis()
            : Files.readString(p).strip() + " " + a.lastModifiedTime().toMillis();
        out.add(root.relativize(p) + " " + (a.isSymbolicLink() ? "" : PosixFilePermissions.toString(a.permissions()) + " "
            + a.owner().getName() + ":" + a.group().getName() + " ") + what);
      }
    }
    return out;
  }
}
