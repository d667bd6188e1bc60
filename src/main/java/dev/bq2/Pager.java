package dev.bq2;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Long text on a terminal goes through the user's pager, as git does: `$PAGER`, else `less -R`;
 * `LESS=FRX` unless `LESS` is set (short text is printed and less exits; the screen is not
 * cleared). `PAGER=` (empty) or `PAGER=cat` means no pager.
 */
public final class Pager {
  private Pager() {}

  /**
   * Writes {@code body} into the pager and waits for it. False when there is none to run (or it
   * could not be started or found): then the caller prints the text itself.
   */
  public static boolean page(Map<String, String> env, Consumer<PrintStream> body) throws InterruptedException {
    String cmd = env.get("PAGER");
    if (cmd == null) cmd = onPath("less", env.get("PATH")) ? "less -R" : null;
    if (cmd == null || cmd.isBlank() || cmd.strip().equals("cat")) return false;
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
    if (!env.containsKey("LESS")) pb.environment().put("LESS", "FRX");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return false;
    }
    // A pager quit early closes the pipe: PrintStream swallows the broken pipe, we just stop.
    try (PrintStream in = new PrintStream(p.getOutputStream(), false, StandardCharsets.UTF_8)) {
      body.accept(in);
    }
    int rc = p.waitFor();
    return rc != 127; // sh: command not found -- nothing was shown
  }

  private static boolean onPath(String name, String path) {
    if (path == null) return false;
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return true;
    }
    return false;
  }
}
