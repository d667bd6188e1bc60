package dev.bq2.fleet;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet file (`bq2-fleet.json`): which engine runs the jobs and every job submitted, in
 * order. Entries are only appended, so the history of a rootfs (first job, resubmissions) stays
 * readable; {@link #current()} is the newest entry per rootfs.
 */
@JsonPropertyOrder({"version", "engine", "builds"})
public record FleetRecord(int version, String engine, List<FleetBuild> builds) {
  public static final int VERSION = 1;

  public FleetRecord {
    builds = builds == null ? List.of() : List.copyOf(builds);
  }

  public static FleetRecord empty(String engine) {
    return new FleetRecord(VERSION, engine, List.of());
  }

  public FleetRecord with(FleetBuild build) {
    List<FleetBuild> all = new ArrayList<>(builds);
    all.add(build);
    return new FleetRecord(version, engine, all);
  }

  /** The newest job of each rootfs, in the order the rootfs were first submitted. */
  public List<FleetBuild> current() {
    Map<String, FleetBuild> newest = new LinkedHashMap<>();
    for (FleetBuild b : builds) {
      newest.remove(b.rootfs());
      newest.put(b.rootfs(), b);
    }
    Map<String, FleetBuild> ordered = new LinkedHashMap<>();
    for (FleetBuild b : builds) ordered.putIfAbsent(b.rootfs(), newest.get(b.rootfs()));
    return List.copyOf(ordered.values());
  }

  public Optional<FleetBuild> current(Path rootfs) {
    String key = rootfs.toAbsolutePath().normalize().toString();
    return current().stream().filter(b -> b.rootfs().equals(key)).findFirst();
  }
}
