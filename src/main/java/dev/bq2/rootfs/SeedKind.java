package dev.bq2.rootfs;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What kind of rootfs was found, by the later skill's heuristic (docs/formats.md#upstream-formats: documentation,
 * not tool behaviour): a `/usr/bin/clang` means the inner bq2 rootfs; only
 * `/opt/sysroot/bin/clang` means the seed.
 */
public enum SeedKind {
  INNER("inner bq2 rootfs (usr/bin/clang)"),
  SEED("seed rootfs (only opt/sysroot/bin/clang)"),
  UNKNOWN("unknown (neither usr/bin/clang nor opt/sysroot/bin/clang)");

  private final String description;

  SeedKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** Symlinks count as present even when they dangle: inside a fake or unmounted tree an absolute link target points elsewhere. */
  public static SeedKind classify(Path rootfs) {
    if (present(rootfs.resolve("usr/bin/clang"))) return INNER;
    if (present(rootfs.resolve("opt/sysroot/bin/clang"))) return SEED;
    return UNKNOWN;
  }

  private static boolean present(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
