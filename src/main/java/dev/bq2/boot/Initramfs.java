package dev.bq2.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Placeholder until boot-images' newc packer is merged: packs with `find | cpio -o -H newc`. */
public final class Initramfs {
  private Initramfs() {}

  public static void pack(Path root, Path out) throws IOException {
    Process p = new ProcessBuilder(List.of("sh", "-c", "cd \"$1\" && find . | cpio -o -H newc --quiet > \"$2\"", "pack",
        root.toAbsolutePath().toString(), out.toAbsolutePath().toString())).inheritIO().start();
    try {
      if (p.waitFor() != 0) throw new IOException("cpio failed packing " + root);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted packing " + root, e);
    }
  }
}
