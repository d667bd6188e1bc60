package dev.bq2.assistant;

import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposerException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Any executable as a proposer (`--assistant-command`): the prompt on stdin, the proposal JSON
 * on stdout, exit 0. A non-zero exit is a failed attempt (the command says so itself); stdout
 * that is not a schema-valid proposal is an invalid one.
 */
public final class CommandProposer extends AssistantProposer {
  public CommandProposer(AssistantSettings settings) {
    super(settings);
    if (settings.command().isEmpty()) {
      throw dev.bq2.Bq2Exception.badInput("--assistant command needs --assistant-command PATH (an executable: prompt on stdin, proposal JSON on stdout)");
    }
  }

  @Override
  public String name() {
    return "command";
  }

  @Override
  protected Proposal attempt(String prompt, Path cwd, Attempt a)
      throws ProposerException, IOException, InterruptedException {
    StringBuilder out = new StringBuilder();
    AssistantProcess.Result r = AssistantProcess.run(settings.command(), cwd, settings.env(), prompt,
        settings.timeout(), l -> out.append(l).append('\n'), AssistantProcess.MAX_ANSWER_BYTES);
    if (r.outputTooLarge()) throw tooLarge(a);
    if (r.timedOut()) throw timedOut(a);
    a.exitCode = r.exitCode();
    if (r.exitCode() != 0) {
      throw new ProposerException("assistant command " + settings.command().get(0) + " exited " + r.exitCode()
          + ": " + lastLine(r.stderrTail()));
    }
    return parseAnswer(out.toString(), a);
  }
}
