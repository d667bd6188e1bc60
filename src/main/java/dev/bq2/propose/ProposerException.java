package dev.bq2.propose;

/** A proposer failed to produce a usable answer (timeout, crash, unparsable output). */
public class ProposerException extends Exception {
  private static final long serialVersionUID = 1L;

  public ProposerException(String message) {
    super(message);
  }

  public ProposerException(String message, Throwable cause) {
    super(message, cause);
  }
}
