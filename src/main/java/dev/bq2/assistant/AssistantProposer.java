package dev.bq2.assistant;

import dev.bq2.propose.Proposal;
import dev.bq2.propose.ProposalRequest;
import dev.bq2.propose.Proposer;
import dev.bq2.propose.ProposerException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What every assistant proposer shares: the budget check, the redacted prompt, one attempt
 * record per call (journaled whatever happens) and the token charge. Subclasses only run their
 * assistant and turn its answer into a proposal.
 */
public abstract class AssistantProposer implements Proposer {
  protected final AssistantSettings settings;

  protected AssistantProposer(AssistantSettings settings) {
    this.settings = settings;
  }

  @Override
  public final Optional<Proposal> propose(ProposalRequest request) throws ProposerException, InterruptedException {
    settings.budget().ensureAvailable();
    Path cwd = (request.repo() != null ? request.repo() : settings.repo()).toAbsolutePath();
    String prompt = settings.prompts().proposePrompt(request);
    Attempt a = new Attempt();
    String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    long t0 = System.nanoTime();
    try {
      Proposal p = attempt(prompt, cwd, a);
      a.outcome = AssistantAttempt.PROPOSAL;
      return Optional.of(p);
    } catch (ProposerException e) {
      if (a.outcome == null) a.outcome = AssistantAttempt.FAILED;
      a.error = e.getMessage();
      throw e;
    } catch (IOException e) {
      a.outcome = AssistantAttempt.FAILED;
      a.error = name() + " could not be started: " + e.getMessage();
      throw new ProposerException(a.error, e);
    } catch (RuntimeException e) {
      a.outcome = AssistantAttempt.FAILED;
      a.error = e.getMessage();
      throw e;
    } finally {
      if (a.outcome == null) a.outcome = AssistantAttempt.FAILED;
      AssistantAttempt rec = new AssistantAttempt(time, name(), a.sessionId, a.tokensIn, a.tokensOut,
          a.costUsd, (System.nanoTime() - t0) / 1_000_000, a.exitCode, a.outcome, a.error);
      settings.budget().charge(rec);
      settings.journal().accept(rec);
    }
  }

  /** Runs the assistant once (a resume that fails may start over inside the same attempt). */
  protected abstract Proposal attempt(String prompt, Path cwd, Attempt a)
      throws ProposerException, IOException, InterruptedException;

  /** The answer as a proposal; a bad one marks the attempt `invalid`. */
  protected Proposal parseAnswer(String answer, Attempt a) throws ProposerException {
    try {
      return ProposalSchema.parse(answer);
    } catch (ProposalSchema.InvalidProposalException e) {
      a.outcome = AssistantAttempt.INVALID;
      throw new ProposerException(name() + " answer is not a valid proposal: " + e.getMessage());
    }
  }

  protected ProposerException timedOut(Attempt a) {
    a.outcome = AssistantAttempt.TIMEOUT;
    a.exitCode = null;
    return new ProposerException(name() + " gave no answer within " + human(settings.timeout())
        + " (--assistant-timeout); its process group was killed");
  }

  /** The assistant printed more than {@link AssistantProcess#MAX_ANSWER_BYTES}: its group was ended unread. */
  protected ProposerException tooLarge(Attempt a) {
    a.outcome = AssistantAttempt.FAILED;
    a.exitCode = null;
    return new ProposerException(name() + " answer too large: more than " + AssistantProcess.MAX_ANSWER_BYTES / (1024 * 1024)
        + " MiB on stdout, so it was not read further and its process group was ended");
  }

  protected static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) return lines[i].strip();
    }
    return "(no output)";
  }

  private static String human(java.time.Duration d) {
    return dev.bq2.Durations.text(d);
  }

  /** The mutable facts of one attempt, filled in as they become known. */
  protected static final class Attempt {
    String sessionId;
    Long tokensIn;
    Long tokensOut;
    Double costUsd;
    Integer exitCode;
    String outcome;
    String error;
  }
}
