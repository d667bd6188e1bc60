package dev.bq2.cli;

import dev.bq2.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * `bq2 ARGS` as a real child JVM on the test class path with a chosen environment (the variables
 * in {@code env} are set, those mapped to null removed; BQ2_ROOTFS and BQ2_CONFIG are always
 * removed unless given, so the caller's shell does not leak in).
 */
public final class Bq2Child {
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Bq2Child() {}

  /** A rootfs whose plan has one host phase `only` with one shell step `touch` (run in {@code rootfs}). */
  static Path rootfs(Path rootfs, String content) throws IOException {
    return rootfs(rootfs, rootfs, content);
  }

  /** As {@link #rootfs(Path, String)}, the step run in {@code workdir}. */
  static Path rootfs(Path rootfs, Path workdir, String content) throws IOException {
    Files.createDirectories(rootfs.resolve("var/lib"));
    Files.writeString(rootfs.resolve("var/lib/sysroot-build-plan.json"), """
        {
          "format_version": 2,
          "phases": [
            {
              "name": "only",
              "description": "One shell step",
              "namespace": "host",
              "install_prefix": "/",
              "env": {},
              "steps": [
                {
                  "name": "touch",
                  "strategy": "shell",
                  "workdir": "%s",
                  "configure_flags": [],
                  "patches": [],
                  "env": {},
                  "clean_build": false,
                  "content": "%s"
                }
              ]
            }
          ]
        }
        """.formatted(workdir, content));
    return rootfs;
  }

  /** Every file under {@code dir}, relative, sorted (what a command left behind). */
  static List<String> files(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  public static Result run(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    return runWithInput(cwd, env, null, args);
  }

  /** As {@link #run(Path, Map, String...)}, waiting up to {@code timeout} (a command that waits on a cluster). */
  public static Result run(Duration timeout, Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    return runJvm(List.of(), timeout, cwd, env, null, args);
  }

  /** As {@link #run(Path, Map, String...)}, with {@code stdin} (null: /dev/null) as standard input. */
  static Result runWithInput(Path cwd, Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
    return runJvm(List.of(), cwd, env, stdin, args);
  }

  /** As {@link #runWithInput}, with extra JVM options (e.g. `-Dbq2.home=DIR`). */
  static Result runJvm(List<String> jvmOptions, Path cwd, Map<String, String> env, String stdin, String... args)
      throws IOException, InterruptedException {
    return runJvm(jvmOptions, Duration.ofSeconds(120), cwd, env, stdin, args);
  }

  private static Result runJvm(List<String> jvmOptions, Duration timeout, Path cwd, Map<String, String> env, String stdin,
      String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-XX:-UsePerfData"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(cwd, "bq2-", ".out");
    Path err = Files.createTempFile(cwd, "bq2-", ".err");
    Path in = stdin == null ? Path.of("/dev/null") : Files.writeString(Files.createTempFile(cwd, "bq2-", ".in"), stdin);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(in.toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("BQ2_ROOTFS");
    pb.environment().remove("BQ2_CONFIG");
    env.forEach((k, v) -> {
      if (v == null) pb.environment().remove(k);
      else pb.environment().put(k, v);
    });
    Process p = pb.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bq2 " + String.join(" ", args) + " did not finish in " + timeout);
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    if (stdin != null) Files.delete(in);
    return r;
  }
}
