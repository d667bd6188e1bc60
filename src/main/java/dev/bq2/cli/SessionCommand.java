package dev.bq2.cli;

import dev.bq2.ExitCodes;
import dev.bq2.assistant.SessionFile;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `bq2 session show|clear`: the stored Codex thread id that the next assistant call resumes. */
@Command(name = "session", mixinStandardHelpOptions = true,
    description = "Show or clear the stored Codex session (thread) id.")
public class SessionCommand {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the stored session id.")
  int show(@Option(names = "--session-file", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.",
      defaultValue = "/work/.codex-session-id") Path file) {
    SessionFile s = new SessionFile(file);
    Optional<String> id = s.read();
    if (id.isPresent()) {
      spec.commandLine().getOut().println(id.get());
    } else {
      spec.commandLine().getOut().println("no session stored in " + s.path());
    }
    return ExitCodes.OK;
  }

  @Command(name = "clear", mixinStandardHelpOptions = true, description = "Forget the stored session id; the next call starts a new thread.")
  int clear(@Option(names = "--session-file", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.",
      defaultValue = "/work/.codex-session-id") Path file) {
    SessionFile s = new SessionFile(file);
    boolean had = s.clear();
    spec.commandLine().getOut().println(had ? "cleared " + s.path() : "no session stored in " + s.path());
    return ExitCodes.OK;
  }
}
