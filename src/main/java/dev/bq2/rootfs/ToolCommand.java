package dev.bq2.rootfs;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A resolved external command (runner or status) and where it came from. {@code kind} decides
 * which flags it understands: the existing tool's HEAD binaries take `--workdir=<hw>` and
 * `--phase`; ours and user-given commands take the seeds' explicit path flags.
 */
@JsonPropertyOrder({"kind", "source", "argv"})
public record ToolCommand(Kind kind, String source, List<String> argv) {
  public enum Kind {
    /** `bq2 sysroot-runner` / `bq2 sysroot-status` of this program. */
    OURS,
    /** The repo's `bin/sysroot-runner` / `bin/sysroot-status` (the existing Crystal tool). */
    REPO,
    /** Given with `--runner` / `--status-command`. */
    GIVEN
  }

  public ToolCommand {
    argv = List.copyOf(argv);
  }

  public String describe() {
    return String.join(" ", argv) + " (" + source + ")";
  }
}
