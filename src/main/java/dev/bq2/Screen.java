package dev.bq2;

import java.io.IOException;
import java.util.Map;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * What one of our output streams is: a terminal (its width, resizes) or not, and whether colour
 * is on. The one place that decides colour: on only for a terminal, off when {@code NO_COLOR} is
 * set (any value, https://no-color.org) or {@code TERM=dumb}. Piped or redirected output gets
 * neither colour nor a status line.
 */
public final class Screen {
  private static final Screen NONE = new Screen(false, false, null);
  private static Screen stdout;
  private static Screen stderr;

  private final boolean terminal;
  private final boolean colour;
  private final SystemStream stream;
  private Terminal jline;

  private Screen(boolean terminal, boolean colour, SystemStream stream) {
    this.terminal = terminal;
    this.colour = colour;
    this.stream = stream;
  }

  /** Not a terminal: plain lines, no colour (files, pipes, tests). */
  public static Screen none() {
    return NONE;
  }

  /** Standard output, detected once per process. */
  public static synchronized Screen stdout() {
    if (stdout == null) stdout = detect(SystemStream.Output);
    return stdout;
  }

  /** Standard error (where `bq2: …` errors go), detected once per process. */
  public static synchronized Screen stderr() {
    if (stderr == null) stderr = detect(SystemStream.Error);
    return stderr;
  }

  /**
   * Standard output is the interactive shell's terminal: commands the shell runs measure and
   * watch that one (a second system terminal cannot be opened while the shell holds it).
   */
  public static synchronized void adopt(Terminal shellTerminal) {
    Screen s = new Screen(true, colourWanted(true, System.getenv()), SystemStream.Output);
    s.jline = shellTerminal;
    stdout = s;
  }

  private static Screen detect(SystemStream s) {
    boolean tty = isTerminal(s);
    return new Screen(tty, colourWanted(tty, System.getenv()), s);
  }

  /** The rule, in one place: colour on a terminal unless `NO_COLOR` is set or `TERM=dumb`. */
  public static boolean colourWanted(boolean terminal, Map<String, String> env) {
    return terminal && !env.containsKey("NO_COLOR") && !"dumb".equals(env.get("TERM"));
  }

  /** isatty through JLine's native provider (cheap: no terminal is opened), else its exec one. */
  private static boolean isTerminal(SystemStream s) {
    for (String provider : new String[] {"jni", "exec"}) {
      try {
        return TerminalProvider.load(provider).isSystemStream(s);
      } catch (IOException | RuntimeException | LinkageError e) {
        // try the next provider
      }
    }
    return System.console() != null;
  }

  public boolean terminal() {
    return terminal;
  }

  public boolean colour() {
    return colour;
  }

  /**
   * Columns of the terminal now (JLine's size, which follows resizes); without a terminal, or
   * when the terminal reports none, {@code COLUMNS} or 80.
   */
  public int width() {
    Terminal t = jline();
    int cols = 0;
    if (t != null) {
      Size size = t.getSize();
      cols = size == null ? 0 : size.getColumns();
    }
    if (cols > 0) return cols;
    String env = System.getenv("COLUMNS");
    return env != null && env.matches("\\d{2,4}") ? Integer.parseInt(env) : 80;
  }

  /**
   * Calls {@code onResize} on each resize of the terminal (SIGWINCH through JLine) until the
   * returned handle is closed, which puts back the previous handler (the shell has its own).
   */
  public Handle onResize(Runnable onResize) {
    Terminal t = jline();
    if (t == null) return () -> { };
    Terminal.SignalHandler previous = t.handle(Terminal.Signal.WINCH, sig -> onResize.run());
    return () -> t.handle(Terminal.Signal.WINCH, previous);
  }

  /**
   * The JLine terminal of this stream, opened on first use. Native signals stay off: JLine would
   * otherwise reset SIGINT to its default and Ctrl-C would skip our shutdown hooks (the
   * "the runner goes on" hint). Resize handlers installed through {@link #onResize} still work.
   */
  private synchronized Terminal jline() {
    if (!terminal) return null;
    if (jline == null) {
      try {
        jline = TerminalBuilder.builder().system(true).nativeSignals(false).dumb(true)
            .systemOutput(stream == SystemStream.Error ? TerminalBuilder.SystemOutput.SysErr : TerminalBuilder.SystemOutput.SysOut)
            .build();
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
    return jline;
  }

  /** Undoes a registration; closing never fails. */
  public interface Handle extends AutoCloseable {
    @Override
    void close();
  }

  /** The text with ANSI styles when colour is on, else plain. */
  public String paint(AttributedString text) {
    return colour ? text.toAnsi() : text.toString();
  }

  /** One of our lines in the colour its {@link Tone} asks for (plain without colour). */
  public String paint(String line) {
    return paint(line, Tone.of(line));
  }

  public String paint(String text, Tone tone) {
    if (!colour || tone == Tone.PLAIN || text.isEmpty()) return text;
    return new AttributedStringBuilder().style(tone.style()).append(text).toAnsi();
  }

  /** A style, for building status lines with {@link AttributedStringBuilder}. */
  public static AttributedStyle style(Tone tone) {
    return tone.style();
  }
}
