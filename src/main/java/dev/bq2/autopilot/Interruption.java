package dev.bq2.autopilot;

import dev.bq2.supervise.RunRecord;

/**
 * A person's Ctrl-C while a command runs inside the `bq2` shell, delivered where stopping is
 * safe. The shell keeps running afterwards, so nothing may be left half-done: an autopilot
 * takes charge of the request ({@link #cooperate}) and is interrupted at once only while it
 * waits for its runner ({@link #arm}); elsewhere (journal and overrides writes, whose file
 * channels a thread interrupt would close) the request waits for its next safe point. A second
 * Ctrl-C interrupts at once. Commands that do not take charge are interrupted at once.
 */
public final class Interruption {
  /** Asks the person whether a runner still building should be stopped too (false: leave it). */
  @FunctionalInterface
  public interface Question {
    boolean stopRunner(RunRecord running);
  }

  private static final Interruption NONE = new Interruption(null, running -> false);

  private final Thread owner;
  private final Question question;
  private int requests;
  private boolean cooperative;
  private boolean armed;

  /**
   * @param owner the thread that runs the command (interrupted on a request)
   * @param question asked on that thread when a runner is still building
   */
  public Interruption(Thread owner, Question question) {
    this.owner = owner;
    this.question = question;
  }

  /** No person to interrupt us (a plain `bq2 iterate`: Ctrl-C ends the JVM there). */
  public static Interruption none() {
    return NONE;
  }

  /**
   * A Ctrl-C: interrupts the command's thread now when that is safe (or on the second request);
   * true when it did, false when the request waits for the autopilot's next safe point.
   */
  public synchronized boolean request() {
    if (owner == null) return false;
    requests++;
    if (!cooperative || armed || requests > 1) {
      owner.interrupt();
      return true;
    }
    return false;
  }

  /** True once the person asked to stop. */
  public synchronized boolean requested() {
    return requests > 0;
  }

  /** An autopilot takes charge (true) of the requests, or hands them back (false). */
  synchronized void cooperate(boolean on) {
    if (owner == null) return; // none(): shared, stays inert
    cooperative = on;
  }

  /** The caller now waits for its runner: a request interrupts it at once. */
  synchronized void arm() {
    if (owner == null) return;
    armed = true;
    if (requests > 0 && owner == Thread.currentThread()) owner.interrupt();
  }

  /**
   * The wait is over: a request from now on waits for the next safe point, and an interrupt
   * that came too late to end the wait is cleared (it stays {@link #requested()}).
   */
  synchronized void disarm() {
    armed = false;
    if (owner == Thread.currentThread()) Thread.interrupted();
  }

  boolean stopRunner(RunRecord running) {
    return question.stopRunner(running);
  }
}
