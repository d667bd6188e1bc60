package dev.bq2.assistant;

import dev.bq2.Bq2Exception;

/**
 * The `--max-assistant-tokens` budget for one run, shared by every assistant proposer. An attempt
 * is only started while tokens are left; the attempt that crosses the limit still counts (its
 * answer is already paid for), the next one stops the run with exit 3.
 */
public final class TokenBudget {
  private final long max;
  private long spent;

  /** {@code max} of 0 or less means unlimited. */
  public TokenBudget(long max) {
    this.max = max;
  }

  public static TokenBudget unlimited() {
    return new TokenBudget(0);
  }

  public synchronized void charge(AssistantAttempt attempt) {
    spent += attempt.tokens();
  }

  public synchronized long spent() {
    return spent;
  }

  public long max() {
    return max;
  }

  /** Throws exit 3 when the budget is spent; called before each assistant attempt. */
  public synchronized void ensureAvailable() {
    if (max > 0 && spent >= max) {
      throw Bq2Exception.needsPerson("assistant token budget spent: " + spent + " of " + max
          + " tokens (--max-assistant-tokens); raise the limit or fix the failure by hand");
    }
  }
}
