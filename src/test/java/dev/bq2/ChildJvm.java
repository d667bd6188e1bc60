package dev.bq2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * `bq2` as a real child JVM on the test class path (`java -cp … dev.bq2.cli.Bq2 ARGS`), with
 * stdout and stderr going to files so a test can read them while it runs, or after a kill -9.
 */
public final class ChildJvm {
  public final Process process;
  public final Path out;
  public final Path err;

  private ChildJvm(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts `bq2 ARGS` in {@code cwd}; output goes to `<outBase>.out` / `<outBase>.err`. */
  public static ChildJvm start(Path cwd, Path outBase, List<String> jvmOptions, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java()));
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")); // as bin/bq2 starts it
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
    cmd.addAll(List.of(args));
    Path out = outBase.resolveSibling(outBase.getFileName() + ".out");
    Path err = outBase.resolveSibling(outBase.getFileName() + ".err");
    Files.createDirectories(out.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    return new ChildJvm(pb.start(), out, err);
  }

  /** `bq2 ARGS` as one shell command line (for a terminal: tmux runs it with `sh -c`). */
  public static String shellCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
    cmd.addAll(List.of(args));
    StringBuilder b = new StringBuilder();
    for (String a : cmd) {
      if (b.length() > 0) b.append(' ');
      b.append('\'').append(a.replace("'", "'\\''")).append('\'');
    }
    return b.toString();
  }

  public static ChildJvm start(Path cwd, Path outBase, String... args) throws IOException {
    return start(cwd, outBase, List.of(), args);
  }

  /** Runs `bq2 ARGS` to completion (at most {@code timeout}) and returns it. */
  public static ChildJvm run(Path cwd, Path outBase, Duration timeout, String... args)
      throws IOException, InterruptedException {
    ChildJvm c = start(cwd, outBase, args);
    c.waitFor(timeout);
    return c;
  }

  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("bq2 did not finish within " + timeout + "\n" + this);
    }
    return process.exitValue();
  }

  public int exit() {
    return process.exitValue();
  }

  public String stdout() {
    return read(out);
  }

  public String stderr() {
    return read(err);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
  }

  /** Polls a condition until it holds or the timeout passes (await events, never sleep blindly). */
  public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      Thread.sleep(25);
    }
  }
}
