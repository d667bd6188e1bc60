package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.assistant.SessionFile;
import dev.bq2.namespace.Bind;
import dev.bq2.assistant.CodexNamespace;
import dev.bq2.namespace.NamespaceEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `bq2 codex-namespace`: an interactive Codex inside the rootfs, resuming the stored session. */
@Command(name = "codex-namespace", mixinStandardHelpOptions = true,
    description = {
      "Run Codex interactively inside the rootfs, resuming the stored session.",
      "Inside, the work folder is /work (CODEX_HOME=/work/.codex) and the repo is /work/bootstrap-qcow2.",
      "With a stored session id it runs `codex resume <id>`; afterwards the newest session's id is stored for next time."})
public class CodexNamespaceCommand implements Callable<Integer> {
  @Option(names = "--rootfs", paramLabel = "DIR", defaultValue = "${env:BQ2_ROOTFS:-data/sysroot/seed-rootfs/bq2-rootfs}",
      description = "Rootfs to enter (default: $BQ2_ROOTFS, else data/sysroot/seed-rootfs/bq2-rootfs).")
  Path rootfs;

  @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "/work",
      description = "Host folder bound at /work (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
      description = "Repo bound at /work/bootstrap-qcow2 (default: the current folder).")
  Path repo;

  @Option(names = "--session-file", paramLabel = "FILE",
      description = "Where the session id is kept (default: <work-dir>/.codex-session-id).")
  Path sessionFile;

  @Option(names = "--bind", paramLabel = "SRC:DST", description = "Extra bind mount (repeatable).")
  List<String> binds = new ArrayList<>();

  @Option(names = "--codex", paramLabel = "CMD", defaultValue = "codex",
      description = "Codex command inside the rootfs, found on PATH with /work/bin first (default: ${DEFAULT-VALUE}).")
  String codex;

  @Option(names = "--new", description = "Start a new session instead of resuming the stored one.")
  boolean fresh;

  @Option(names = "--print", description = "Show the command that would run, and run nothing.")
  boolean print;

  @Parameters(paramLabel = "CODEX_ARG", description = "Extra arguments for Codex (after --).")
  List<String> codexArgs = new ArrayList<>();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Path session = sessionFile != null ? sessionFile : workDir.resolve(".codex-session-id");
    // a blank BQ2_ROOTFS counts as unset, as everywhere
    Path root = rootfs.toString().isBlank() ? Path.of("data/sysroot/seed-rootfs/bq2-rootfs") : rootfs;
    CodexNamespace.Options o = new CodexNamespace.Options(root, workDir, repo,
        binds.stream().map(Bind::parse).toList(), new SessionFile(session), fresh, codex, codexArgs, System.getenv());
    CodexNamespace.Plan plan = CodexNamespace.plan(o);
    if (print) {
      var out = spec.commandLine().getOut();
      out.println("codex: " + NamespaceEntry.display(plan.codexArgv()));
      out.println("resume: " + plan.resumeId().orElse("(new session)"));
      out.println("command: " + NamespaceEntry.display(plan.hostArgv()));
      return ExitCodes.OK;
    }
    return CodexNamespace.run(o, plan);
  }
}
