package dev.bq2.runner;

import dev.bq2.plan.BuildPhase;
import java.util.List;

/**
 * Decides where a phase's commands run (interop.md §6.4). Today: `host` phases in place,
 * `seed`/`bq2` phases refused unless `--namespace-mode in-place`. A real namespace entry
 * (unshare/chroot) plugs in as another policy returning a command prefix.
 */
public interface NamespacePolicy {
  /**
   * How commands of one phase are run.
   *
   * @param commandPrefix argv put before every command (e.g. `unshare ... chroot DIR`); empty
   *     means in place, on the host
   */
  record Entry(List<String> commandPrefix) {
    public Entry {
      commandPrefix = List.copyOf(commandPrefix);
    }

    public static Entry inPlace() {
      return new Entry(List.of());
    }
  }

  /** The entry for `phase`, or a {@link StepFailedException} whose message the report carries. */
  Entry enter(BuildPhase phase) throws StepFailedException;

  static NamespacePolicy of(NamespaceMode mode) {
    return mode == NamespaceMode.IN_PLACE ? phase -> Entry.inPlace() : NamespacePolicy::refuseNonHost;
  }

  private static Entry refuseNonHost(BuildPhase phase) throws StepFailedException {
    String ns = phase.namespace() == null ? "" : phase.namespace().toLowerCase(java.util.Locale.ROOT);
    switch (ns) {
      case "host":
        return Entry.inPlace();
      case "seed":
      case "bq2":
        throw new StepFailedException("Phase " + phase.name() + " needs the " + ns
            + " namespace, and entering the seed/bq2 namespace is not available yet; rerun with"
            + " --namespace-mode in-place to run it on the host on purpose (its paths must then be"
            + " valid on the host)");
      default:
        throw new StepFailedException("Unknown namespace " + phase.namespace() + " in phase "
            + phase.name() + " (expected host, seed or bq2); fix the plan or override the phase"
            + " namespace, or rerun with --namespace-mode in-place");
    }
  }
}
