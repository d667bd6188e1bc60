package dev.bq2.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest's serial console, expect-style (the NixOS driver's `wait_for_console_text` idea):
 * a reader thread copies every raw byte to `serial.log` at once and appends the same bytes, with
 * ANSI/VT100 control sequences removed, to the text that prompts are matched on. Waiting is
 * event-driven: {@link #await} blocks on a condition signalled by each new chunk, up to a
 * deadline. A cursor position query (`ESC[6n`, busybox's line editor) is answered with
 * `ESC[1;1R` as a terminal would, or the shell waits for it and eats what we type.
 *
 * <p>Removed from the matched text: CSI sequences (`ESC[` … final byte: colours, cursor moves,
 * queries, bracketed paste `ESC[?2004h`), OSC (`ESC]` … BEL or `ESC\`: window titles), DCS,
 * SOS, PM and APC strings (… `ESC\`), charset selects (`ESC(B`, `ESC)0`, …), other two-byte
 * escapes (`ESC7`, `ESC=`, `ESCc`), carriage returns and other C0 controls except newline and
 * tab. The text is the bytes as ISO-8859-1 (one char a byte, so patterns see ASCII as is);
 * {@link #utf8} turns a slice back into what the guest wrote.
 */
final class Console implements AutoCloseable {
  /** What {@link #await} found: which pattern, its groups, and when its last byte arrived. */
  record Hit(int pattern, String text, String[] groups, int start, int end, Instant at) {
    String group(int i) {
      return groups[i];
    }
  }

  /** Receives what we send and what we match, for transcript.log. */
  interface Listener {
    void sent(String shown);

    void firstByte(Instant at);
  }

  private enum State { TEXT, ESC, CSI, STRING, STRING_ESC, CHARSET }

  private static final byte ESC = 0x1b;
  private static final byte[] CURSOR_REPORT = "\u001b[1;1R".getBytes(StandardCharsets.US_ASCII);

  private final InputStream fromGuest;
  private final OutputStream toGuest;
  private final OutputStream serialLog;
  private final Listener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final StringBuilder text = new StringBuilder();
  /** Text offset of each chunk's end → when it arrived (stage times come from here, not from when we looked). */
  private final TreeMap<Integer, Instant> arrivals = new TreeMap<>();
  private final Thread reader;
  private int cursor;
  private long rawBytes;
  private Instant firstByte;
  private Instant lastByte;
  private boolean ended;
  private IOException readError;
  // filter state (reader thread only)
  private State state = State.TEXT;
  private final StringBuilder csi = new StringBuilder();

  Console(InputStream fromGuest, OutputStream toGuest, OutputStream serialLog, Listener listener) {
    this.fromGuest = fromGuest;
    this.toGuest = toGuest;
    this.serialLog = serialLog;
    this.listener = listener;
    this.reader = new Thread(this::readLoop, "bq2-serial-reader");
    reader.setDaemon(true);
  }

  void start() {
    reader.start();
  }

  private void readLoop() {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = fromGuest.read(buf)) > 0) {
        Instant now = Instant.now();
        serialLog.write(buf, 0, n);
        serialLog.flush();
        StringBuilder clean = new StringBuilder(n);
        boolean query = filter(buf, n, clean);
        if (query) answerCursorQuery();
        boolean first;
        lock.lock();
        try {
          first = firstByte == null;
          if (first) firstByte = now;
          lastByte = now;
          rawBytes += n;
          text.append(clean);
          arrivals.put(text.length(), now);
          changed.signalAll();
        } finally {
          lock.unlock();
        }
        if (first && listener != null) listener.firstByte(now);
      }
    } catch (IOException e) {
      lock.lock();
      try {
        readError = e;
      } finally {
        lock.unlock();
      }
    } finally {
      lock.lock();
      try {
        ended = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Appends the text of {@code n} bytes to {@code out}; true when they held a cursor position query. */
  boolean filter(byte[] buf, int n, StringBuilder out) {
    boolean query = false;
    for (int i = 0; i < n; i++) {
      int b = buf[i] & 0xff;
      switch (state) {
        case TEXT -> {
          if (b == ESC) state = State.ESC;
          else if (b == '\n' || b == '\t' || b >= 0x20 && b != 0x7f) out.append((char) b);
        }
        case ESC -> {
          if (b == '[') {
            csi.setLength(0);
            state = State.CSI;
          } else if (b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_') {
            state = State.STRING;
          } else if (b == '(' || b == ')' || b == '*' || b == '+' || b == '-' || b == '.' || b == '/' || b == '#' || b == '%') {
            state = State.CHARSET;
          } else if (b == ESC) {
            state = State.ESC;
          } else {
            state = State.TEXT; // ESC7, ESC8, ESC=, ESC>, ESCM, ESCc, ESCD, …
          }
        }
        case CSI -> {
          if (b >= 0x40 && b <= 0x7e) {
            if (b == 'n' && csi.toString().equals("6")) query = true;
            state = State.TEXT;
          } else if (b == ESC) {
            state = State.ESC;
          } else if (b < 0x20 || csi.length() > 64) {
            state = State.TEXT; // not a sequence after all (a cut line): resume the text
          } else {
            csi.append((char) b);
          }
        }
        case STRING -> {
          if (b == 0x07) state = State.TEXT; // BEL ends an OSC
          else if (b == ESC) state = State.STRING_ESC;
        }
        case STRING_ESC -> state = b == '\\' ? State.TEXT : b == ESC ? State.STRING_ESC : State.STRING;
        case CHARSET -> state = State.TEXT;
        default -> state = State.TEXT;
      }
    }
    return query;
  }

  private void answerCursorQuery() {
    try {
      synchronized (toGuest) {
        toGuest.write(CURSOR_REPORT);
        toGuest.flush();
      }
    } catch (IOException e) {
      // QEMU is gone; the reader sees the end next.
    }
  }

  /** Types {@code keys} on the console; {@code shown} is what the transcript says (a password is not shown). */
  void send(String keys, String shown) throws IOException {
    if (listener != null) listener.sent(shown);
    synchronized (toGuest) {
      toGuest.write(keys.getBytes(StandardCharsets.UTF_8));
      toGuest.flush();
    }
  }

  /**
   * Waits until one of {@code patterns} matches the text after the cursor, the output ends or
   * {@code deadline} passes. The earliest match wins (ties: the first pattern); the cursor moves
   * past it. Empty on timeout or end of output.
   */
  Optional<Hit> await(Instant deadline, Pattern... patterns) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        Hit best = null;
        for (int i = 0; i < patterns.length; i++) {
          Matcher m = patterns[i].matcher(text);
          m.region(cursor, text.length());
          if (m.find() && (best == null || m.start() < best.start())) {
            String[] groups = new String[m.groupCount() + 1];
            for (int g = 0; g <= m.groupCount(); g++) groups[g] = m.group(g);
            Map.Entry<Integer, Instant> at = arrivals.ceilingEntry(m.end());
            best = new Hit(i, m.group(), groups, m.start(), m.end(), at == null ? Instant.now() : at.getValue());
          }
        }
        if (best != null) {
          cursor = best.end();
          return Optional.of(best);
        }
        if (ended) return Optional.empty();
        long wait = deadline.toEpochMilli() - System.currentTimeMillis();
        if (wait <= 0) return Optional.empty();
        changed.await(wait, TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the first serial byte; false on timeout or end of output. */
  boolean awaitFirstByte(Instant deadline) throws InterruptedException {
    return awaitBytesAfter(0, deadline);
  }

  /** Waits until more than {@code count} raw bytes have arrived; false on timeout or end of output. */
  boolean awaitBytesAfter(long count, Instant deadline) throws InterruptedException {
    lock.lock();
    try {
      while (rawBytes <= count) {
        if (ended) return false;
        long wait = deadline.toEpochMilli() - System.currentTimeMillis();
        if (wait <= 0) return false;
        changed.await(wait, TimeUnit.MILLISECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no byte has arrived for {@code quiet} (or the deadline, or the end); true when it went quiet. */
  boolean awaitQuiet(java.time.Duration quiet, Instant deadline) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (ended) return false;
        Instant from = lastByte == null ? Instant.now() : lastByte;
        Instant until = from.plus(quiet);
        if (until.isAfter(deadline)) until = deadline;
        long wait = until.toEpochMilli() - System.currentTimeMillis();
        if (wait <= 0) return !Instant.now().isBefore(from.plus(quiet));
        changed.await(wait, TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  long rawBytes() {
    lock.lock();
    try {
      return rawBytes;
    } finally {
      lock.unlock();
    }
  }

  Instant firstByte() {
    lock.lock();
    try {
      return firstByte;
    } finally {
      lock.unlock();
    }
  }

  boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  int cursor() {
    lock.lock();
    try {
      return cursor;
    } finally {
      lock.unlock();
    }
  }

  /** All matched text so far (control sequences removed). */
  String text() {
    lock.lock();
    try {
      return text.toString();
    } finally {
      lock.unlock();
    }
  }

  /** The last {@code lines} non-blank lines of the text, for "last seen". */
  String tail(int lines) {
    String all = text();
    String[] parts = all.split("\n");
    StringBuilder b = new StringBuilder();
    int taken = 0;
    for (int i = parts.length - 1; i >= 0 && taken < lines; i--) {
      if (parts[i].isBlank()) continue;
      b.insert(0, parts[i].strip() + (b.length() == 0 ? "" : "\n"));
      taken++;
    }
    return utf8(b.toString());
  }

  /** A slice of the text as the UTF-8 the guest wrote. */
  static String utf8(String latin1) {
    return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    reader.join(5000);
  }
}
