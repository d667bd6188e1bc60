package dev.bq2.runner;

import dev.bq2.namespace.Bind;
import dev.bq2.plan.BuildPhase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides where a phase's commands run (docs/formats.md#upstream-formats): `host` phases in place; `seed`/`bq2`
 * phases inside their rootfs ({@link NamespaceMode#ENTER}, the default), on the host on purpose
 * ({@link NamespaceMode#IN_PLACE}), or not at all ({@link NamespaceMode#REFUSE}). Never runs a
 * seed/bq2 phase on the host unless asked to.
 */
public interface NamespacePolicy {
  /**
   * How commands of one phase are run.
   *
   * @param view the rootfs the phase's commands enter and its paths are mapped into; null means
   *     in place, on the host
   */
  record Entry(RootView view) {
    public static Entry inPlace() {
      return new Entry(null);
    }
  }

  /** The entry for `phase`, or a {@link StepFailedException} whose message the report carries. */
  Entry enter(BuildPhase phase) throws StepFailedException;

  /** The policy for `mode` without a rootfs to enter (`enter` then fails every seed/bq2 phase). */
  static NamespacePolicy of(NamespaceMode mode) {
    return of(mode, null, List.of());
  }

  /**
   * @param bq2Rootfs the rootfs holding the plan (`<hw>/seed-rootfs/bq2-rootfs` in the host
   *     layout; its parent is then the seed rootfs)
   * @param binds the `--bind` list, added on every entry
   */
  static NamespacePolicy of(NamespaceMode mode, Path bq2Rootfs, List<Bind> binds) {
    return switch (mode) {
      case IN_PLACE -> phase -> Entry.inPlace();
      case REFUSE -> NamespacePolicy::refuseNonHost;
      case ENTER -> phase -> enterRootfs(phase, bq2Rootfs, binds);
    };
  }

  private static String label(BuildPhase phase) {
    return phase.namespace() == null ? "" : phase.namespace().toLowerCase(Locale.ROOT);
  }

  private static StepFailedException unknown(BuildPhase phase) {
    return new StepFailedException("Unknown namespace " + phase.namespace() + " in phase "
        + phase.name() + " (expected host, seed or bq2); fix the plan or override the phase"
        + " namespace, or rerun with --namespace-mode in-place");
  }

  private static Entry refuseNonHost(BuildPhase phase) throws StepFailedException {
    String ns = label(phase);
    switch (ns) {
      case "host":
        return Entry.inPlace();
      case "seed":
      case "bq2":
        throw new StepFailedException("Phase " + phase.name() + " needs the " + ns
            + " namespace, and --namespace-mode refuse was given; rerun with --namespace-mode enter"
            + " (the default) to run it inside the rootfs, or --namespace-mode in-place to run it on"
            + " the host on purpose (its paths must then be valid on the host)");
      default:
        throw unknown(phase);
    }
  }

  /**
   * The host layout (docs/formats.md#upstream-formats): seed `/` is `<hw>/seed-rootfs`, bq2 `/` is
   * `<hw>/seed-rootfs/bq2-rootfs` with the seed's `/opt/sysroot` bound in. A rootfs that is
   * already `/` (the runner started inside) needs no entry.
   */
  private static Entry enterRootfs(BuildPhase phase, Path bq2Rootfs, List<Bind> binds) throws StepFailedException {
    String ns = label(phase);
    if (ns.equals("host")) return Entry.inPlace();
    if (!ns.equals("seed") && !ns.equals("bq2")) throw unknown(phase);
    if (bq2Rootfs == null) {
      throw new StepFailedException("Phase " + phase.name() + " needs the " + ns + " namespace but no rootfs is known;"
          + " pass --rootfs <hw>/seed-rootfs/bq2-rootfs");
    }
    Path b = bq2Rootfs.toAbsolutePath().normalize();
    Path seed = b.getFileName() != null && b.getFileName().toString().equals("bq2-rootfs") ? b.getParent() : null;
    boolean insideBq2 = b.getParent() == null;
    boolean insideSeed = seed != null && seed.getParent() == null;
    for (Bind bind : binds) {
      if (!Files.exists(bind.source())) {
        throw new StepFailedException("Bind source " + bind.source() + " (for " + bind.target() + ") is unavailable for phase "
            + phase.name() + "; create it or fix --bind");
      }
    }
    RootView view;
    if (ns.equals("seed")) {
      if (insideBq2) throw new StepFailedException("Cannot enter seed namespace from bq2 (phase " + phase.name() + ")");
      if (insideSeed) return Entry.inPlace();
      if (seed == null) {
        throw new StepFailedException("Phase " + phase.name() + " needs the seed namespace, but the rootfs " + b
            + " is not inside a seed rootfs (expected <hw>/seed-rootfs/bq2-rootfs, docs/formats.md#upstream-formats); pass that"
            + " --rootfs, or rerun with --namespace-mode in-place to run the phase on the host on purpose");
      }
      view = new RootView("seed", seed, binds);
    } else {
      if (insideBq2) return Entry.inPlace();
      List<Bind> all = new ArrayList<>(binds);
      if (seed != null && binds.stream().noneMatch(x -> x.target().replaceAll("/+$", "").equals("/opt/sysroot"))) {
        Path sysroot = seed.resolve("opt/sysroot");
        if (!Files.isDirectory(sysroot)) {
          throw new StepFailedException("Missing sysroot at " + sysroot + " (bound at /opt/sysroot in the bq2 namespace);"
              + " build it first with the seed phase that installs into it (`bq2 sysroot-runner --phase sysroot-from-seed`"
              + " for the existing tool's plans), or create it");
        }
        all.add(new Bind(sysroot, "/opt/sysroot"));
      }
      view = new RootView("bq2", b, all);
    }
    try {
      view.probe();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailedException("Interrupted while entering the " + ns + " namespace at " + view.root());
    }
    return new Entry(view);
  }
}
