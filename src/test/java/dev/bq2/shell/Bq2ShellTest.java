package dev.bq2.shell;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.cli.Bq2;
import dev.bq2.demo.DemoWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell driven through a real JLine (dumb) terminal over pipes, dispatching to real commands. */
class Bq2ShellTest {
  @TempDir Path tmp;

  @Test
  void wordsMapToCommandsWithTheShellsContext() throws Exception {
    DemoWriter.Demo demo = DemoWriter.write(tmp.resolve("demo"));
    List<List<String>> dispatched = new ArrayList<>();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream realOut = System.out;
    System.setProperty("bq2.history", tmp.resolve("history").toString());
    String input = "stat\nresume iteration --max-iterations 0 --quiet\nbogus\nhelp\nstatus\nexit\n";
    int last;
    // The input stays open until the shell has exited, like a person's keyboard: `exit` ends it.
    PipedOutputStream keyboard = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(keyboard, 1 << 16);
    keyboard.write(input.getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
    try (PrintStream ps = new PrintStream(captured, true, StandardCharsets.UTF_8);
        Terminal t = TerminalBuilder.builder().system(false).type("dumb").streams(stdin, ps).build()) {
      System.setOut(ps);
      Bq2Shell shell = new Bq2Shell(argv -> {
        dispatched.add(List.of(argv));
        return Bq2.commandLine().execute(argv);
      }, List.of("--rootfs", demo.rootfs().toString(), "--repo", demo.repo().toString()),
          () -> demo.rootfs().toString());
      last = shell.run(t);
    } finally {
      System.setOut(realOut);
      keyboard.close();
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertFalse(dispatched.isEmpty(), out);
    assertEquals(List.of("iterate", "--rootfs", demo.rootfs().toString(), "--repo", demo.repo().toString(),
        "--max-iterations", "0", "--quiet"), dispatched.get(0));
    assertEquals(List.of("sysroot-status", "--rootfs", demo.rootfs().toString()), dispatched.get(1));
    assertEquals(2, dispatched.size(), "`stat` and `bogus` run nothing");
    assertTrue(out.contains("unknown command: stat"), out);
    assertTrue(out.contains("unknown command: bogus"), out);
    assertTrue(out.contains("resume iteration"), out);
    assertTrue(out.contains("--max-iterations 0 reached"), out);
    assertTrue(out.contains("next_phase=core-libs"), out);
    assertEquals(0, last, "the last command (status) succeeded");
    assertTrue(Files.exists(demo.repo().resolve("session")), "the iterate run journaled into the repo's session/");
    assertTrue(Files.readString(tmp.resolve("history")).contains("resume iteration --max-iterations 0 --quiet"),
        "history is kept across runs");
  }
}
