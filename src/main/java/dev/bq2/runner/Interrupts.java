package dev.bq2.runner;

import dev.bq2.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT/SIGTERM handling for one run. The handler does not exit the JVM: it records which
 * signal came, stops the running command's whole process group, and (only while a strategy's
 * own Java code runs) interrupts the runner thread. The runner then records the step as failed,
 * saves the state and returns 130/143, so the state file is never left half-updated.
 */
public final class Interrupts implements AutoCloseable {
  private final Object lock = new Object();
  private final List<Restore> restore = new ArrayList<>();
  private volatile String signal;
  private ProcessGroup running;
  private Thread strategyThread;

  private record Restore(Signal signal, SignalHandler previous) {}

  private Interrupts() {}

  /** No handlers: for in-process callers that own signals themselves. */
  public static Interrupts none() {
    return new Interrupts();
  }

  /** Installs handlers for INT and TERM; {@link #close()} puts the previous ones back. */
  public static Interrupts install() {
    Interrupts i = new Interrupts();
    for (String name : List.of("INT", "TERM")) {
      try {
        Signal s = new Signal(name);
        SignalHandler prev = Signal.handle(s, sig -> i.onSignal("SIG" + sig.getName()));
        i.restore.add(new Restore(s, prev));
      } catch (IllegalArgumentException e) {
        // the JVM reserves this signal (e.g. -Xrs); fall back to its default behaviour
      }
    }
    return i;
  }

  /** Also usable without a real signal (tests, an embedding loop stopping the run). */
  public void onSignal(String name) {
    ProcessGroup g;
    boolean repeated;
    synchronized (lock) {
      repeated = signal != null;
      if (!repeated) signal = name;
      g = running;
      if (strategyThread != null) strategyThread.interrupt();
    }
    if (g != null) {
      if (repeated) g.kill(); else g.stopAsync();
    }
  }

  public boolean requested() {
    return signal != null;
  }

  /** `SIGINT` or `SIGTERM`, or null. */
  public String signal() {
    return signal;
  }

  public int exitCode() {
    return "SIGTERM".equals(signal) ? ExitCodes.TERMINATED : ExitCodes.INTERRUPTED;
  }

  /** The message for reports and errors. */
  public String message() {
    return "Interrupted by " + signal;
  }

  /** Registers the running command; if a signal already came, stops it at once. */
  void track(ProcessGroup g) {
    boolean stop;
    synchronized (lock) {
      running = g;
      stop = signal != null;
    }
    if (stop) g.stopAsync();
  }

  void untrack(ProcessGroup g) {
    synchronized (lock) {
      if (running == g) running = null;
    }
  }

  /** Marks the window in which a Java-side strategy may be interrupted (downloads, copies). */
  void enterStrategy() {
    synchronized (lock) {
      strategyThread = Thread.currentThread();
      if (signal != null) strategyThread.interrupt();
    }
  }

  /** Closes the window and clears a pending interrupt so the state save that follows is safe. */
  void leaveStrategy() {
    synchronized (lock) {
      strategyThread = null;
      Thread.interrupted();
    }
  }

  @Override
  public void close() {
    for (Restore r : restore) Signal.handle(r.signal(), r.previous());
    restore.clear();
  }
}
