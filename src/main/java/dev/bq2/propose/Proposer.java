package dev.bq2.propose;

import java.util.Optional;

/** Something that proposes a minimal override: the built-in rules, Codex, Claude Code, a command. */
public interface Proposer {
  /** A short name for journals and history (`rules`, `codex`, `claude`, `command`). */
  String name();

  /**
   * A proposal, or empty when this proposer has nothing to say (a rules miss). An assistant that
   * fails (timeout, crash, garbage) throws {@link ProposerException}; it costs one attempt.
   */
  Optional<Proposal> propose(ProposalRequest request) throws ProposerException, InterruptedException;
}
