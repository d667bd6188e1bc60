package dev.bq2.runner.strategy;

import dev.bq2.runner.StepFailedException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** `rm -rf` for strategies: never follows symlinks out of the tree being removed. */
final class Trees {
  private Trees() {}

  static void deleteRecursively(Path root) throws StepFailedException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    try {
      if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(root);
        return;
      }
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          if (exc != null) throw exc;
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new StepFailedException("Cannot remove " + root + ": " + e);
    }
  }
}
