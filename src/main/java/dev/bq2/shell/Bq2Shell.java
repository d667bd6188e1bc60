package dev.bq2.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.bq2.ExitCodes;
import dev.bq2.autopilot.Interruption;
import dev.bq2.supervise.RunRecord;
import java.util.Locale;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive `bq2` shell: what a person types today ("iterate", "resume iteration") runs
 * the autopilot; `status`, `reports`, `overrides`, `log`, `stop`, `summary`, `tasks` look around. Each word maps
 * to a bq2 subcommand run in-process with the shell's context options (--rootfs, --repo, …)
 * appended. History is kept across runs in `~/.bq2_history`.
 *
 * <p>Ctrl-C while a command runs comes back to the prompt, as in bash: the command is
 * interrupted ({@link Interruption}); an `iterate` following a runner asks whether to stop the
 * runner too (default: leave it building; a later `iterate` re-attaches). Ctrl-C at the prompt
 * drops the line, Ctrl-D on an empty line leaves.
 */
public final class Bq2Shell {
  /** Runs a bq2 argv in-process; Ctrl-C meanwhile goes to {@code interruption}. */
  @FunctionalInterface
  public interface Dispatcher {
    int run(String[] argv, Interruption interruption);
  }

  /** shell word(s) → subcommand argv (before the context options and the user's extra args). */
  public static final Map<String, List<String>> COMMANDS;

  static {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("iterate", List.of("iterate"));
    m.put("resume iteration", List.of("iterate"));
    m.put("status", List.of("sysroot-status"));
    m.put("reports", List.of("reports"));
    m.put("overrides", List.of("overrides", "show"));
    m.put("log", List.of("log"));
    m.put("stop", List.of("stop"));
    m.put("summary", List.of("summary"));
    m.put("tasks", List.of("tasks"));
    m.put("runner", List.of("sysroot-runner"));
    COMMANDS = Collections.unmodifiableMap(m);
  }

  /** Words of the shell itself (not commands): listed in `help` and completed. */
  public static final List<String> BUILTINS = List.of("help", "exit", "quit");

  /** The commands that take the rootfs only (`--rootfs DIR`), not the other context options. */
  private static final List<String> ROOTFS_ONLY = List.of("sysroot-status", "sysroot-runner");

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
        tasks               the task queue: follow-ups boot-check and iterate found (`tasks --all`)
        runner              run steps in the foreground (sysroot-runner), e.g. `runner --package S --dry-run`
        help                this text
        exit, quit          leave the shell (Ctrl-D too; a background runner keeps going)
      Anything after a command is passed to it, e.g. `iterate --max-iterations 5`; TAB completes
      commands, options and their values (assistants, the plan's phases and steps).
      Ctrl-C stops the running command and comes back here; during `iterate` it asks whether to
      stop the runner too (default: it keeps building, and the next `iterate` re-attaches to it).
      """;

  private final Dispatcher dispatcher;
  private final List<String> contextArgs;
  private final Supplier<String> rootfs;
  private final Completer completer;

  /**
   * @param dispatcher runs a bq2 argv in-process and returns its exit code
   * @param contextArgs the shell's own --rootfs/--repo/… flags, passed on to each command
   * @param rootfs detects the rootfs (for `status` and `runner`, whose commands take only --rootfs)
   * @param completer TAB completion (null: the shell's words only)
   */
  public Bq2Shell(Dispatcher dispatcher, List<String> contextArgs, Supplier<String> rootfs, Completer completer) {
    this.dispatcher = dispatcher;
    this.contextArgs = List.copyOf(contextArgs);
    this.rootfs = rootfs;
    this.completer = completer;
  }

  /** A shell whose commands ignore Ctrl-C requests (tests driving it through pipes). */
  public Bq2Shell(Function<String[], Integer> dispatcher, List<String> contextArgs, Supplier<String> rootfs) {
    this((argv, interruption) -> dispatcher.apply(argv), contextArgs, rootfs, null);
  }

  public int run(Terminal terminal) throws IOException {
    // -Dbq2.history=FILE moves it (tests keep the user's home untouched)
    Path history = Path.of(System.getProperty("bq2.history", System.getProperty("user.home") + "/.bq2_history"));
    List<String> words = new ArrayList<>(COMMANDS.keySet());
    words.addAll(BUILTINS);
    LineReader reader = LineReaderBuilder.builder()
        .terminal(terminal)
        .appName("bq2")
        .completer(completer != null ? completer : new StringsCompleter(words))
        .variable(LineReader.HISTORY_FILE, history)
        .build();
    // Questions asked while a command runs: their answers stay out of the history.
    LineReader questions = LineReaderBuilder.builder().terminal(terminal).appName("bq2")
        .variable(LineReader.DISABLE_HISTORY, true).build();
    PrintWriter out = terminal.writer();
    out.println("bq2 shell: type `iterate` to run the autopilot, `help` for commands.");
    out.flush();
    // The shell owns SIGINT for its whole life, as bash does: a Ctrl-C goes to the running command
    // (none: it is dropped), never to the JVM's default, which would end the shell. JLine's
    // readLine takes it over while reading (a Ctrl-C there drops the line) and gives it back.
    AtomicReference<Interruption> running = new AtomicReference<>();
    Terminal.SignalHandler outside = terminal.handle(Terminal.Signal.INT, signal -> {
      Interruption command = running.get();
      if (command != null && !command.request()) {
        out.println();
        out.println("bq2: stopping at the next safe point (Ctrl-C again to stop at once)");
        out.flush();
      }
    });
    try {
      return loop(reader, questions, out, history, running);
    } finally {
      terminal.handle(Terminal.Signal.INT, outside);
    }
  }

  private int loop(LineReader reader, LineReader questions, PrintWriter out, Path history,
      AtomicReference<Interruption> running) throws IOException {
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
      Interruption interruption = new Interruption(Thread.currentThread(), run -> stopRunner(questions, run));
      running.set(interruption);
      try {
        last = dispatcher.run(argv, interruption);
      } finally {
        running.set(null);
        Thread.interrupted(); // an interrupt the command did not wait for must not reach the prompt
      }
      // An interrupted command said what it left behind; one that ended on its own says its status.
      if (last != 0 && !(last == ExitCodes.INTERRUPTED && interruption.requested())) {
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
        if (ROOTFS_ONLY.contains(argv.get(0))) {
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

  /** "Stop the runner too? [y/N]": only y/yes stops it; Enter, Ctrl-C or Ctrl-D leave it building. */
  static boolean stopRunner(LineReader questions, RunRecord running) {
    try {
      String answer = questions.readLine("Stop the runner too? [y/N] ");
      return answer != null && answer.strip().toLowerCase(Locale.ROOT).matches("y|yes");
    } catch (UserInterruptException | EndOfFileException e) {
      return false;
    }
  }

  public static Terminal systemTerminal() throws IOException {
    return TerminalBuilder.builder().system(true).build();
  }
}
