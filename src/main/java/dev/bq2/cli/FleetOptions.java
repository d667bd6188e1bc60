package dev.bq2.cli;

import dev.bq2.fleet.Engine;
import dev.bq2.fleet.Fleet;
import dev.bq2.fleet.FleetFile;
import dev.bq2.fleet.SlurmEngine;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** `--fleet FILE`, shared by the `bq2 fleet` commands: `@Mixin FleetOptions fleet;`. */
public class FleetOptions {
  @Option(names = "--fleet", paramLabel = "FILE", defaultValue = FleetFile.DEFAULT,
      description = "The fleet file recording the jobs (default ./${DEFAULT-VALUE}).")
  Path file;

  FleetFile file() {
    return new FleetFile(file);
  }

  /** The engine named in the fleet file (or by `--engine`); Slurm is the one there is. */
  static Engine engine(String name) {
    if (!SlurmEngine.NAME.equals(name)) {
      throw dev.bq2.Bq2Exception.badInput("engine " + name + " is not supported; --engine slurm is");
    }
    return new SlurmEngine();
  }

  Fleet fleet(String engine) {
    return new Fleet(file(), engine(engine), Fleet.ownLauncher(), Path.of("").toAbsolutePath(), System.out);
  }

  /** The fleet of the recorded engine; an absent file is exit 2 naming it. */
  Fleet recorded() {
    return fleet(file().readExisting().engine());
  }
}
