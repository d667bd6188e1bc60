package dev.bq2.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain `qemu-system-x86_64 -accel tcg` child with its serial port on stdin/stdout, for the
 * fixtures' own tests (boot-check has the real matcher): the raw serial bytes are kept (in memory
 * and in a log file) and {@link #await} waits for a text in them, after the last match.
 */
final class TcgGuest implements AutoCloseable {
  /** Bounds a wait so a broken guest fails the test instead of hanging it; never a timing claim. */
  static final Duration PATIENCE = Duration.ofMinutes(3);

  private final Process process;
  private final OutputStream in;
  private final StringBuilder serial = new StringBuilder();
  private final Thread reader;
  private int consumed;
  private boolean ended;

  private TcgGuest(Process process, Path log) throws IOException {
    this.process = process;
    this.in = process.getOutputStream();
    OutputStream logOut = Files.newOutputStream(log);
    InputStream out = process.getInputStream();
    reader = new Thread(() -> {
      byte[] buf = new byte[4096];
      try (logOut) {
        int n;
        while ((n = out.read(buf)) > 0) {
          logOut.write(buf, 0, n);
          logOut.flush();
          synchronized (this) {
            serial.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1)); // one char per byte
            notifyAll();
          }
        }
      } catch (IOException e) {
        // the process ended; fall through
      } finally {
        synchronized (this) {
          ended = true;
          notifyAll();
        }
      }
    }, "tcg-serial");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts QEMU (TCG, 256 MiB, no display, serial on stdio, no reboot) with {@code args}; serial log to {@code log}. */
  static TcgGuest start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-display", "none",
        "-monitor", "none", "-serial", "stdio", "-no-reboot"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(
        log.resolveSibling(log.getFileName() + ".stderr").toFile())).start();
    return new TcgGuest(p, log);
  }

  /** Waits until {@code text} appears in the serial output after the previous match; returns what came before it. */
  synchronized String await(String text) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      int at = serial.indexOf(text, consumed);
      if (at >= 0) {
        String before = serial.substring(consumed, at);
        consumed = at + text.length();
        return before;
      }
      long left = deadline - System.nanoTime();
      if (ended || left <= 0) {
        throw new AssertionError((ended ? "QEMU ended" : "gave up after " + PATIENCE) + " before the serial port showed "
            + printable(text) + "; its last output:\n" + printable(tail()));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Types {@code line} and Enter (CR, as a terminal sends it). */
  void send(String line) throws IOException {
    in.write((line + "\r").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  synchronized String serial() {
    return serial.toString();
  }

  /** Waits for QEMU to exit by itself (a guest `poweroff -f` under `-no-reboot`). */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("QEMU still runs " + PATIENCE + " after the guest was told to power off; last output:\n"
          + printable(tail()));
    }
    return process.exitValue();
  }

  private String tail() {
    return serial.substring(Math.max(0, serial.length() - 1500));
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\n' || (c >= 0x20 && c < 0x7f)) b.append(c);
      else if (c != '\r') b.append(String.format("\\x%02x", (int) c));
    }
    return b.toString();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(1, TimeUnit.MINUTES);
    reader.join(TimeUnit.MINUTES.toMillis(1));
  }
}
