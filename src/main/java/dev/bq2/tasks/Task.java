package dev.bq2.tasks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One follow-up of the task queue (`session/task-queue.md`). Times are UTC to the second
 * (`2026-11-30T05:01:12Z`). A checkbox item a person wrote without a key is a task too, with an
 * empty {@code key} and no source or times: it is listed, never matched by {@link TaskQueue#register}.
 *
 * @param registered when its current open period began (first registered, or reopened)
 * @param resolved when it was marked done (null while open, and for a box ticked by hand)
 * @param how what resolved it ("resolved by session …"; null for a box ticked by hand)
 * @param reopened the earlier resolution when a done task recurred ("2026-…Z: resolved by …"), else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Task(String key, String text, String source, State state, String registered, String resolved,
    String how, String reopened) {

  /** A task is open until it is resolved or its box is ticked. */
  public enum State {
    @JsonProperty("open") OPEN,
    @JsonProperty("done") DONE
  }

  public boolean open() {
    return state == State.OPEN;
  }

  /** True for a checkbox item a person added by hand (no key of ours). */
  public boolean byHand() {
    return key.isEmpty();
  }
}
