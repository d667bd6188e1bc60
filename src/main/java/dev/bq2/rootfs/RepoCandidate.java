package dev.bq2.rootfs;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;

/** One place checked for the builder repo (a directory) and whether it was there. */
@JsonPropertyOrder({"label", "path", "found"})
public record RepoCandidate(String label, Path path, boolean found) {
  public String describe() {
    return (found ? "[x] " : "[ ] ") + path + " (" + label + ")";
  }
}
