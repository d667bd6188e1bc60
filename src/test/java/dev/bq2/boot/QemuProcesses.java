package dev.bq2.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The QEMU processes of one boot check, found in /proc by the unique `-name bq2-boot-<session>` it starts QEMU with. */
public final class QemuProcesses {
  private QemuProcesses() {}

  /** Live (non-zombie) processes whose command line names the QEMU of {@code session}. */
  public static List<String> of(Path session) throws IOException {
    String name = "bq2-boot-" + session.getFileName();
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          String stat = Files.readString(p.resolve("stat"));
          boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          if (cmdline.contains(name) && !zombie) found.add(p.getFileName() + ": " + cmdline);
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return found;
  }

  public static void assertNoneLeft(Path session) throws IOException {
    assertEquals(List.of(), of(session), "QEMU processes of " + session.getFileName() + " still running");
  }
}
