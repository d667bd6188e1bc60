package dev.bq2.cli;

import dev.bq2.annotate.PlanSpec;
import dev.bq2.json.AtomicFile;
import dev.bq2.plan.BuildPlan;
import dev.bq2.rootfs.ContextDetector;
import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `bq2 plan-write`: regenerate the plan from a plan spec (the plan-spec builder's "builder"). */
@Command(name = "plan-write", mixinStandardHelpOptions = true,
    description = {"Generate the build plan from a plan spec ($${VAR} placeholders substituted) and write it atomically.",
        "Exit 0 written, 2 bad input (the message names the file and field)."})
public class PlanWriteCommand implements Callable<Integer> {
  @Option(names = "--plan-spec", paramLabel = "FILE", defaultValue = "plan-spec.json",
      description = "The plan spec (default: ./${DEFAULT-VALUE}).")
  Path planSpec;

  @ArgGroup(exclusive = true)
  Target target;

  static class Target {
    @Option(names = "--rootfs", paramLabel = "DIR",
        description = "Write <DIR>/var/lib/sysroot-build-plan.json (default: $BQ2_ROOTFS, else the detected rootfs).")
    Path rootfs;

    @Option(names = "--plan", paramLabel = "FILE", description = "Write the plan to FILE.")
    Path plan;
  }

  @Override
  public Integer call() {
    Path spec = planSpec.toAbsolutePath().normalize();
    BuildPlan plan = PlanSpec.read(spec).generate(spec);
    Path out;
    if (target != null && target.plan != null) out = target.plan.toAbsolutePath().normalize();
    else if (target != null && target.rootfs != null) out = RootfsLayout.of(target.rootfs).plan();
    // BQ2_ROOTFS as --rootfs: the plan may not exist yet, so it is not detected (which needs one)
    else if (ContextDetector.envRootfs() != null) out = RootfsLayout.of(ContextDetector.envRootfs()).plan();
    else out = new ContextDetector().detect().layout().plan();
    AtomicFile.writeJson(out, plan);
    long steps = plan.phases().stream().mapToLong(p -> p.steps().size()).sum();
    System.out.println("plan-write: wrote " + out + " (" + plan.phases().size() + " phase(s), " + steps + " step(s)) from " + spec);
    return 0;
  }
}
