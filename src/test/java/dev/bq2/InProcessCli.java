package dev.bq2;

import dev.bq2.cli.Bq2;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * `bq2 ARGS` run in this JVM through picocli, on real files, with everything it prints captured:
 * picocli's writers and System.out/err alike (a stack trace printed anywhere shows up).
 */
public final class InProcessCli {
  private InProcessCli() {}

  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit=" + exit + "\n--- out\n" + abbreviate(out) + "--- err\n" + abbreviate(err);
    }

    private static String abbreviate(String s) {
      return s.length() > 4000 ? s.substring(0, 4000) + "…\n" : s;
    }
  }

  public static synchronized Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream sysOut = new ByteArrayOutputStream();
    ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int rc;
    try {
      System.setOut(new PrintStream(sysOut, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
      CommandLine cl = Bq2.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      rc = cl.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(rc, out + sysOut.toString(StandardCharsets.UTF_8),
        err + sysErr.toString(StandardCharsets.UTF_8));
  }
}
