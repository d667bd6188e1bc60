package dev.bq2.cli;

import dev.bq2.Screen;
import dev.bq2.shell.Bq2Shell;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import org.jline.terminal.Terminal;
import picocli.CommandLine.Mixin;

/** `bq2 shell` (and `bq2` alone on a terminal): the interactive shell. */
@Command(name = "shell", mixinStandardHelpOptions = true,
    description = "Interactive shell: iterate, resume iteration, status, reports, overrides, log, stop, help, exit.")
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
    Bq2Shell shell = new Bq2Shell(argv -> Bq2.commandLine().execute(argv), ctxArgs,
        () -> context.detect().rootfs().toString());
    Terminal terminal = Bq2Shell.systemTerminal();
    Screen.adopt(terminal); // iterate's status line measures the shell's terminal
    return shell.run(terminal);
  }
}
