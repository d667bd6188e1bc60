package dev.bq2.namespace;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;

/** A host directory bound into the rootfs at {@code target} (an absolute path inside). */
public record Bind(Path source, String target) {
  public Bind {
    source = source.toAbsolutePath().normalize();
    if (!target.startsWith("/")) throw Bq2Exception.badInput("bind target " + target + " must be absolute inside the rootfs (e.g. /work)");
  }

  /** `SRC:DST` as given to `--bind`. */
  public static Bind parse(String spec) {
    int colon = spec.lastIndexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw Bq2Exception.badInput("--bind " + spec + ": expected SRC:DST (a host folder and an absolute path inside the rootfs)");
    }
    return new Bind(Path.of(spec.substring(0, colon)), spec.substring(colon + 1));
  }
}
