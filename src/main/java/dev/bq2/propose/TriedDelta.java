package dev.bq2.propose;

/** A delta already tried for a failure signature, and what came of it (`fixed`, `same_failure`, `new_failure`, `pending`). */
public record TriedDelta(Proposal delta, String proposer, String outcome) {}
