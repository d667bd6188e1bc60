package dev.bq2.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recording stand-in for a tool Debian does not ship (`shards`, `apk`): a shell script put
 * on PATH that appends its argv, working directory and environment to a record file, then runs
 * an optional tail (e.g. what `shards build` would do), and exits with that tail's status.
 */
public final class StandIn {
  /** One recorded invocation. */
  public record Call(List<String> argv, String cwd, Map<String, String> env) {}

  public final Path script;
  public final Path record;

  private StandIn(Path script, Path record) {
    this.script = script;
    this.record = record;
  }

  /** Writes `dir/name`; {@code tail} is shell run after recording (empty: exit 0). */
  public static StandIn create(Path dir, String name, String tail) throws IOException {
    Files.createDirectories(dir);
    Path record = dir.resolve(name + ".calls");
    Path script = dir.resolve(name);
    // NUL-free, line-based record: a `call` line, then cwd, each argument and each env entry.
    Files.writeString(script, "#!/bin/sh\n"
        + "{\n"
        + "  echo call\n"
        + "  echo \"cwd=$(pwd)\"\n"
        + "  for a in \"$@\"; do echo \"arg=$a\"; done\n"
        + "  env | LC_ALL=C sort | sed 's/^/env=/'\n"
        + "} >> '" + record + "'\n"
        + "echo \"stand-in " + name + " $*\"\n"
        + tail + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new StandIn(script, record);
  }

  /** PATH with this stand-in's folder first. */
  public String path() {
    return script.getParent() + ":" + System.getenv("PATH");
  }

  public List<Call> calls() throws IOException {
    List<Call> out = new ArrayList<>();
    if (!Files.exists(record)) return out;
    List<String> argv = null;
    String cwd = null;
    Map<String, String> env = null;
    for (String line : Files.readAllLines(record)) {
      if (line.equals("call")) {
        if (argv != null) out.add(new Call(argv, cwd, env));
        argv = new ArrayList<>();
        env = new LinkedHashMap<>();
        cwd = null;
      } else if (line.startsWith("cwd=")) {
        cwd = line.substring(4);
      } else if (line.startsWith("arg=")) {
        argv.add(line.substring(4));
      } else if (line.startsWith("env=")) {
        String kv = line.substring(4);
        int eq = kv.indexOf('=');
        if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    if (argv != null) out.add(new Call(argv, cwd, env));
    return out;
  }
}
