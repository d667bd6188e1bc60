package dev.bq2.cli;

import dev.bq2.Bq2Exception;
import dev.bq2.ExitCodes;
import dev.bq2.Screen;
import dev.bq2.Tone;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The `bq2` entry point. Invoked through a symlink named like a subcommand (`sysroot-runner`,
 * `sysroot-status`) it runs that subcommand, busybox style, as the existing tool does; the
 * launcher passes the name it was called by in the `bq2.argv0` system property.
 */
@Command(
    name = "bq2",
    mixinStandardHelpOptions = true,
    version = "bq2 autopilot 0.1.0",
    description = "Drive a phased from-source sysroot/rootfs build plan to completion.",
    subcommands = {
      CommandLine.HelpCommand.class,
      DiagnoseCommand.class,
      ProposeCommand.class,
      IterateCommand.class,
      DemoCommand.class,
      SessionCommand.class,
      CodexNamespaceCommand.class,
      PlanWriteCommand.class,
      OverridesCommand.class,
      BackAnnotateCommand.class,
      SysrootRunnerCommand.class,
      SysrootStatusCommand.class,
      ReportsCommand.class,
      LogCommand.class,
      StopCommand.class,
      SummaryCommand.class,
      FleetCommand.class,
      TasksCommand.class,
      BootCheckCommand.class,
      ShellCommand.class,
    })
public class Bq2 implements Callable<Integer> {
  /** Names that may be symlinked to the launcher (`bq2 --install`). */
  static final List<String> LINKED_COMMANDS = List.of("sysroot-runner", "sysroot-status");

  @Option(names = "--install", description = "Create the sysroot-runner and sysroot-status symlinks next to bin/bq2.")
  boolean install;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (install) return installLinks();
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.OK;
  }

  private int installLinks() throws IOException {
    String launcher = System.getProperty("bq2.launcher");
    if (launcher == null) {
      throw Bq2Exception.badInput("--install needs the bin/bq2 launcher (bq2.launcher is not set); run ./bin/bq2 --install");
    }
    Path bq2 = Path.of(launcher).toAbsolutePath();
    for (String name : LINKED_COMMANDS) {
      Path link = bq2.resolveSibling(name);
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, bq2.getFileName());
      spec.commandLine().getOut().println("installed " + link + " -> " + bq2.getFileName());
    }
    return ExitCodes.OK;
  }

  public static CommandLine commandLine() {
    return configured(new CommandLine(new Bq2()));
  }

  /** The full tree with {@code factory} making the commands (the shell hands its own objects in). */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    return configured(new CommandLine(new Bq2(), factory));
  }

  /** The user's defaults, read and checked once by {@link #run}; until then read unchecked. */
  private static volatile ConfigFile config;

  /** Handlers and user defaults, on a command line and every subcommand it has now. */
  private static CommandLine configured(CommandLine cl) {
    // Defaults users set once (e.g. `assistant=codex`, `max-iterations=40`): keys are long option
    // names without dashes; flags on the command line still win.
    ConfigFile c = config;
    if (c == null) {
      try {
        c = ConfigFile.load(System.getenv(), System.getProperty("user.home"));
      } catch (Bq2Exception e) {
        c = null; // reported by run(); a caller in-process builds its tree without the file
      }
    }
    if (c != null) cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(c.properties()));
    cl.setExecutionExceptionHandler(Bq2::handle);
    cl.setParameterExceptionHandler(Bq2::handleParameter);
    exitCodes(cl);
    // Help in colour only where Screen says so (a terminal, no NO_COLOR); decided when help is shown.
    cl.setHelpFactory((commandSpec, scheme) -> new CommandLine.Help(commandSpec,
        CommandLine.Help.defaultColorScheme(Screen.stdout().colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF)));
    return cl;
  }

  /** The one exit-code block ({@link ExitCodes#HELP_LIST}) on every command's `--help`. */
  private static void exitCodes(CommandLine cl) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(ExitCodes.HELP_LIST);
    for (CommandLine sub : cl.getSubcommands().values()) exitCodes(sub);
  }

  /**
   * Start-up speed: picocli's model of every subcommand costs ~0.1 s to build, so a run of one
   * named subcommand (`bq2 sysroot-status ...`) builds only that one, under a bare `bq2` parent
   * so that usage and errors read exactly as in the full tree. Null for anything else (help,
   * options, no arguments): those get the full tree.
   */
  static CommandLine single(String name) {
    for (Class<?> c : Bq2.class.getAnnotation(Command.class).subcommands()) {
      Command cmd = c.getAnnotation(Command.class);
      if (c == CommandLine.HelpCommand.class || cmd == null || !cmd.name().equals(name)) continue;
      CommandLine parent = new CommandLine(CommandLine.Model.CommandSpec.create().name("bq2"));
      parent.addSubcommand(name, new CommandLine(c));
      return configured(parent);
    }
    return null;
  }

  /** Maps exceptions to documented exit codes with one clear line on stderr. */
  static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
    PrintWriter err = cl.getErr();
    if (e instanceof Bq2Exception b) {
      err.println(Screen.stderr().paint("bq2: " + b.getMessage(), Tone.ERROR));
      err.flush();
      return b.exitCode();
    }
    if (e instanceof InterruptedException) {
      err.println("bq2: interrupted");
      err.flush();
      return ExitCodes.INTERRUPTED;
    }
    err.println("bq2: internal error: " + e);
    e.printStackTrace(err);
    err.flush();
    return ExitCodes.STEP_FAILED;
  }

  static int handleParameter(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    cl.getErr().println(Screen.stderr().paint("bq2: " + e.getMessage() + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')",
        Tone.ERROR));
    cl.getErr().flush();
    return ExitCodes.BAD_INPUT;
  }

  /**
   * Reads and checks the config file before anything is parsed or run: its errors are one line
   * naming the file and line, exit 2. Checking needs the whole command tree (every key of every
   * command), so it costs a picocli model build, only when there is a file.
   */
  private static void loadConfig() {
    ConfigFile c = ConfigFile.load(System.getenv(), System.getProperty("user.home"));
    if (c != null) c.check(new CommandLine(new Bq2()));
    config = c;
  }

  /** Where the user's config file is looked for (it need not exist); the status cache names it. */
  static Path configFile() {
    return ConfigFile.location(System.getenv(), System.getProperty("user.home"));
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String[] args) {
    try {
      loadConfig();
    } catch (Bq2Exception e) {
      System.err.println("bq2: " + e.getMessage());
      System.err.flush();
      return e.exitCode();
    }
    String argv0 = System.getProperty("bq2.argv0", "bq2");
    String name = Path.of(argv0).getFileName().toString();
    if (LINKED_COMMANDS.contains(name)) {
      String[] withCommand = new String[args.length + 1];
      withCommand[0] = name;
      System.arraycopy(args, 0, withCommand, 1, args.length);
      args = withCommand;
    }
    if (args.length == 0 && System.console() != null && hasShell()) {
      args = new String[] {"shell"};
    }
    CommandLine single = args.length > 0 ? single(args[0]) : null;
    if (single != null) return single.execute(Arrays.copyOf(args, args.length));
    return commandLine().execute(Arrays.copyOf(args, args.length));
  }

  private static boolean hasShell() {
    return commandLine().getSubcommands().containsKey("shell");
  }
}
