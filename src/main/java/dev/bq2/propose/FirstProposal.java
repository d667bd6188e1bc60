package dev.bq2.propose;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What `bq2 propose` reports: the first proposal any proposer makes, asked in chain order, judged
 * as it stands. Unlike the autopilot, an escalation or an invalid delta ends the asking: a person
 * running `propose` wants to see that answer, not have it passed over.
 *
 * @param proposer who made the proposal (the last one asked when none did)
 * @param problems why it cannot be applied; empty when it can
 */
public record FirstProposal(Proposer proposer, Optional<Proposal> proposal, List<String> problems) {
  public static FirstProposal ask(List<Proposer> chain, ProposalRequest request) throws InterruptedException {
    Proposer proposer = chain.get(0);
    List<String> failures = new ArrayList<>();
    for (Proposer candidate : chain) {
      proposer = candidate;
      Optional<Proposal> found;
      try {
        found = candidate.propose(request);
      } catch (ProposerException e) {
        failures.add(candidate.name() + " failed: " + e.getMessage());
        continue;
      }
      if (found.isPresent()) return new FirstProposal(candidate, found, ProposalValidator.validate(found.get(), request));
    }
    failures.add(chain.size() == 1 ? "no rule knows this failure" : "no rule knows this failure and no assistant proposed a fix");
    return new FirstProposal(proposer, Optional.empty(), failures);
  }

  /** The id of the rule that matched when the rules answered, else null. */
  public String rule() {
    return proposer instanceof RuleProposer r ? r.lastRule() : null;
  }
}
