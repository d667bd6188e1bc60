package dev.bq2.json;

import dev.bq2.Bq2Exception;
import java.nio.file.Path;

/** Child process for {@link AppendLineTest}: appends one line (argv[1]) to a file (argv[0]). */
public final class AppendLineMain {
  private AppendLineMain() {}

  public static void main(String[] args) {
    try {
      AtomicFile.appendLine(Path.of(args[0]), args[1]);
    } catch (Bq2Exception e) {
      System.err.println("bq2: " + e.getMessage());
      System.exit(e.exitCode());
    }
  }
}
