package dev.bq2.rootfs;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;

/**
 * One place checked for a rootfs: the plan file looked for, the rootfs it would mean, and whether
 * the plan was there. Detection returns every candidate it checked so the user sees why.
 */
@JsonPropertyOrder({"label", "plan", "rootfs", "found"})
public record RootfsCandidate(String label, Path plan, Path rootfs, boolean found) {

  static RootfsCandidate check(String label, Path rootfs) {
    Path r = rootfs.toAbsolutePath().normalize();
    Path plan = r.resolve(RootfsLayout.PLAN);
    return new RootfsCandidate(label, plan, r, java.nio.file.Files.isRegularFile(plan));
  }

  /** `[x] /var/lib/sysroot-build-plan.json (in place)`. */
  public String describe() {
    return (found ? "[x] " : "[ ] ") + plan + " (" + label + ")";
  }
}
