package dev.bq2.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive `bq2` shell: what a person types today ("iterate", "resume iteration") runs
 * the autopilot; `status`, `reports`, `overrides`, `log`, `stop`, `summary` look around. Each word maps
 * to a bq2 subcommand run in-process with the shell's context options (--rootfs, --repo, …)
 * appended. History is kept across runs in `~/.bq2_history`.
 */
public final class Bq2Shell {
  /** shell word(s) → subcommand argv (before the context options and the user's extra args). */
  static final Map<String, List<String>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("iterate", List.of("iterate"));
    COMMANDS.put("resume iteration", List.of("iterate"));
    COMMANDS.put("status", List.of("sysroot-status"));
    COMMANDS.put("reports", List.of("reports"));
    COMMANDS.put("overrides", List.of("overrides", "show"));
    COMMANDS.put("log", List.of("log"));
    COMMANDS.put("stop", List.of("stop"));
    COMMANDS.put("summary", List.of("summary"));
  }

  static final String HELP = """
      Commands:
        iterate             run the autopilot on the detected rootfs until next_phase advances
        resume iteration    the same; re-attaches to a runner that is still going
        status              next_phase, next_step, last failure (sysroot-status)
        reports             the newest failure reports
        overrides           the overrides in force and where each came from
        log                 the tail of the current runner log
        stop                stop the background runner
        summary             what happened overnight (`summary --since 2d` for longer)
        help                this text
        exit                leave the shell (a background runner keeps going)
      Anything after a command is passed to it, e.g. `iterate --max-iterations 5`.
      """;

  private final Function<String[], Integer> dispatcher;
  private final List<String> contextArgs;
  private final Supplier<String> rootfs;

  /**
   * @param dispatcher runs a bq2 argv in-process and returns its exit code
   * @param contextArgs the shell's own --rootfs/--repo/… flags, passed on to each command
   * @param rootfs detects the rootfs (for `status`, whose command takes only --rootfs)
   */
  public Bq2Shell(Function<String[], Integer> dispatcher, List<String> contextArgs, Supplier<String> rootfs) {
    this.dispatcher = dispatcher;
    this.contextArgs = List.copyOf(contextArgs);
    this.rootfs = rootfs;
  }

  public int run(Terminal terminal) throws IOException {
    // -Dbq2.history=FILE moves it (tests keep the user's home untouched)
    Path history = Path.of(System.getProperty("bq2.history", System.getProperty("user.home") + "/.bq2_history"));
    List<String> words = new ArrayList<>(COMMANDS.keySet());
    words.addAll(List.of("help", "exit", "quit"));
    LineReader reader = LineReaderBuilder.builder()
        .terminal(terminal)
        .appName("bq2")
        .completer(new StringsCompleter(words))
        .variable(LineReader.HISTORY_FILE, history)
        .build();
    PrintWriter out = terminal.writer();
    out.println("bq2 shell: type `iterate` to run the autopilot, `help` for commands.");
    out.flush();
    int last = 0;
    while (true) {
      String line;
      try {
        line = reader.readLine("bq2> ");
      } catch (UserInterruptException e) {
        continue;
      } catch (EndOfFileException e) {
        break;
      }
      line = line.strip();
      if (line.isEmpty()) continue;
      if (line.equals("exit") || line.equals("quit")) break;
      if (line.equals("help") || line.equals("?")) {
        out.print(HELP);
        out.flush();
        continue;
      }
      String[] argv;
      try {
        argv = toArgv(line);
      } catch (RuntimeException e) {
        out.println("bq2: " + e.getMessage());
        out.flush();
        continue;
      }
      if (argv == null) {
        out.println("unknown command: " + line + " (type `help`)");
        out.flush();
        continue;
      }
      out.flush();
      last = dispatcher.apply(argv);
      if (last != 0) {
        out.println("(exit " + last + ")");
        out.flush();
      }
    }
    if (Files.exists(history)) reader.getHistory().save();
    return last;
  }

  /** The bq2 argv for a shell line, or null when the line names no command. */
  String[] toArgv(String line) {
    for (Map.Entry<String, List<String>> e : COMMANDS.entrySet()) {
      String word = e.getKey();
      if (line.equals(word) || line.startsWith(word + " ")) {
        List<String> argv = new ArrayList<>(e.getValue());
        if (argv.get(0).equals("sysroot-status")) {
          argv.addAll(List.of("--rootfs", rootfs.get()));
        } else {
          argv.addAll(contextArgs);
        }
        String rest = line.substring(word.length()).strip();
        if (!rest.isEmpty()) argv.addAll(Arrays.asList(rest.split("\\s+")));
        return argv.toArray(String[]::new);
      }
    }
    return null;
  }

  public static Terminal systemTerminal() throws IOException {
    return TerminalBuilder.builder().system(true).build();
  }
}
