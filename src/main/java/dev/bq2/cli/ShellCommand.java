package dev.bq2.cli;

import dev.bq2.Screen;
import dev.bq2.autopilot.Interruption;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.shell.Bq2Shell;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jline.reader.Completer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.jline.terminal.Terminal;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.shell.jline3.PicocliJLineCompleter;

/** `bq2 shell` (and `bq2` alone on a terminal): the interactive shell. */
@Command(name = "shell", mixinStandardHelpOptions = true,
    description = "Interactive shell: iterate, resume iteration, status, reports, overrides, log, stop, summary, tasks, runner, help, exit.")
public class ShellCommand implements Callable<Integer> {
  @Mixin ContextOptions context;

  @Override
  public Integer call() throws IOException {
    List<String> ctxArgs = new ArrayList<>();
    if (context.rootfs != null) ctxArgs.addAll(List.of("--rootfs", context.rootfs.toString()));
    if (context.repo != null) ctxArgs.addAll(List.of("--repo", context.repo.toString()));
    if (context.fsRoot != null && !context.fsRoot.toString().equals("/")) ctxArgs.addAll(List.of("--fs-root", context.fsRoot.toString()));
    if (context.runner != null) ctxArgs.addAll(List.of("--runner", context.runner));
    if (context.statusCommand != null) ctxArgs.addAll(List.of("--status-command", context.statusCommand));
    Supplier<Path> rootfs = detectOnce();
    Bq2Shell shell = new Bq2Shell((argv, interruption) -> Bq2.commandLine(new Factory(plan(rootfs), interruption)).execute(argv),
        ctxArgs, () -> rootfs.get().toString(), completer(plan(rootfs)));
    Terminal terminal = Bq2Shell.systemTerminal();
    Screen.adopt(terminal); // iterate's status line measures the shell's terminal
    return shell.run(terminal);
  }

  /** The rootfs, detected at first use (the first `status`, or a TAB after a plan option) and kept. */
  private Supplier<Path> detectOnce() {
    Path[] found = new Path[1];
    return () -> {
      synchronized (found) {
        if (found[0] == null) found[0] = context.detect().rootfs();
        return found[0];
      }
    };
  }

  private static Supplier<Path> plan(Supplier<Path> rootfs) {
    return () -> RootfsLayout.of(rootfs.get()).plan();
  }

  /**
   * TAB completion for the shell's words, by picocli's JLine integration over the shell as one
   * picocli model: each word is the very command it runs (`overrides` is `overrides show`,
   * `resume iteration` is `iterate`), so options and their values (completionCandidates: the
   * assistants, the plan's phases and steps) come from the commands and cannot drift from them.
   */
  static Completer completer(Supplier<Path> plan) {
    return new PicocliJLineCompleter(shellSpec(new Factory(plan, null)));
  }

  static CommandSpec shellSpec(CommandLine.IFactory factory) {
    CommandLine bq2 = Bq2.commandLine(factory);
    CommandSpec root = CommandSpec.create().name("bq2");
    for (Map.Entry<String, List<String>> e : Bq2Shell.COMMANDS.entrySet()) {
      CommandLine target = bq2;
      for (String word : e.getValue()) target = target.getSubcommands().get(word);
      String[] words = e.getKey().split(" ");
      CommandSpec parent = root;
      for (int i = 0; i < words.length - 1; i++) {
        CommandLine group = parent.subcommands().get(words[i]);
        if (group == null) {
          group = new CommandLine(CommandSpec.create().name(words[i]));
          parent.addSubcommand(words[i], group);
        }
        parent = group.getCommandSpec();
      }
      // A fresh instance per word: one command model may sit under one parent only.
      Object command;
      try {
        command = factory.create(target.getCommandSpec().userObject().getClass());
      } catch (Exception ex) {
        throw new IllegalStateException("cannot make the model of " + e.getValue(), ex);
      }
      parent.addSubcommand(words[words.length - 1], new CommandLine(command, factory));
    }
    for (String word : Bq2Shell.BUILTINS) root.addSubcommand(word, new CommandLine(CommandSpec.create().name(word)));
    return root;
  }

  /**
   * Makes the commands the shell runs (and completes): the plan-reading completion candidates
   * get the shell's plan, and `iterate` gets the shell's Ctrl-C ({@link Interruption}).
   */
  static final class Factory implements CommandLine.IFactory {
    private final Supplier<Path> plan;
    private final Interruption interruption;

    Factory(Supplier<Path> plan, Interruption interruption) {
      this.plan = plan;
      this.interruption = interruption;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == PlanNames.Phases.class) return cls.cast(new PlanNames.Phases(plan));
      if (cls == PlanNames.Steps.class) return cls.cast(new PlanNames.Steps(plan));
      K made = CommandLine.defaultFactory().create(cls);
      if (made instanceof IterateCommand iterate) iterate.interruption = interruption;
      return made;
    }
  }
}
