package dev.bq2.namespace;

import dev.bq2.Bq2Exception;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Entering a rootfs the way the existing tool does (docs/formats.md#upstream-formats), with util-linux instead of
 * syscalls: a private mount namespace (plus a user namespace mapping us to root when we are not
 * privileged), recursive binds of the extra folders, /proc, /sys and /dev, a fresh /tmp, then
 * chroot and chdir (`unshare --root --wd`) and exec of the command with a cleared environment.
 * {@link #wrap} turns any argv into the host argv that runs it inside, so the runner can execute
 * `seed`/`bq2` phases and `bq2 codex-namespace` can start Codex; nothing ever falls back to
 * running outside the rootfs.
 */
public final class NamespaceEntry {
  /** Exit code of the entry script when setting up the namespace failed (not the command). */
  public static final int SETUP_FAILED = 125;
  public static final String DEFAULT_PATH =
      "/opt/sysroot/bin:/opt/sysroot/sbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final Path rootfs;
  private final List<Bind> binds;
  private final Map<String, String> env;
  private final String workdir;
  private final boolean privileged;
  private final boolean keepEnvironment;

  private NamespaceEntry(Path rootfs, List<Bind> binds, Map<String, String> env, String workdir, boolean privileged,
      boolean keepEnvironment) {
    this.rootfs = rootfs;
    this.binds = List.copyOf(binds);
    this.env = Map.copyOf(env);
    this.workdir = workdir;
    this.privileged = privileged;
    this.keepEnvironment = keepEnvironment;
  }

  public static Builder builder(Path rootfs) {
    return new Builder(rootfs);
  }

  /** Configures one entry; env starts empty (the environment inside is cleared) and PATH defaults to {@link #DEFAULT_PATH}. */
  public static final class Builder {
    private final Path rootfs;
    private final List<Bind> binds = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String workdir = "/";
    private Boolean privileged;
    private boolean keepEnvironment;

    private Builder(Path rootfs) {
      this.rootfs = rootfs.toAbsolutePath().normalize();
    }

    public Builder bind(Path source, String target) {
      binds.add(new Bind(source, target));
      return this;
    }

    public Builder bind(Bind b) {
      binds.add(b);
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Builder env(Map<String, String> values) {
      env.putAll(values);
      return this;
    }

    /** The working directory inside the rootfs (default `/`). */
    public Builder workdir(String inside) {
      workdir = inside;
      return this;
    }

    /** Override the privilege detection (tests, or forcing the user-namespace path). */
    public Builder privileged(boolean value) {
      privileged = value;
      return this;
    }

    /**
     * Keep the caller's environment inside instead of clearing it (the runner: the existing tool
     * does not reset the environment on entry, and env values stay out of argv).
     */
    public Builder keepEnvironment() {
      keepEnvironment = true;
      return this;
    }

    public NamespaceEntry build() {
      if (!Files.isDirectory(rootfs)) {
        throw Bq2Exception.badInput("Workspace rootfs missing at " + rootfs + "; the plan's first phase unpacks it (`bq2 sysroot-runner --phase host-setup` for the existing tool's plans),"
            + " or pass --rootfs DIR");
      }
      for (Bind b : binds) {
        if (!Files.exists(b.source())) {
          throw Bq2Exception.badInput("bind source " + b.source() + " (for " + b.target() + ") does not exist; create it or fix --bind");
        }
      }
      Map<String, String> e = new LinkedHashMap<>();
      if (!keepEnvironment) e.put("PATH", DEFAULT_PATH);
      e.putAll(env);
      return new NamespaceEntry(rootfs, binds, e, workdir, privileged != null ? privileged : hasSysAdmin(),
          keepEnvironment);
    }
  }

  public Path rootfs() {
    return rootfs;
  }

  public List<Bind> binds() {
    return binds;
  }

  public Map<String, String> env() {
    return env;
  }

  public boolean privileged() {
    return privileged;
  }

  /** The host argv that runs {@code argv} inside the rootfs (argv[0] looked up on the inside PATH). */
  public List<String> wrap(List<String> argv) {
    List<String> cmd = new ArrayList<>(prefix());
    cmd.add(script(true));
    cmd.add("bq2-namespace");
    cmd.addAll(argv);
    return cmd;
  }

  /**
   * Sets the namespace up without running anything inside; throws exit 3 naming the failed
   * check and the fix when it cannot be entered. Call once before {@link #wrap}ped commands.
   */
  public void probe() throws InterruptedException {
    List<String> cmd = new ArrayList<>(prefix());
    cmd.add(script(false));
    cmd.add("bq2-namespace-probe");
    String output;
    int rc;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw Bq2Exception.needsPerson("entering the rootfs namespace hung for 60 s (" + rootfs + ")");
      }
      rc = p.exitValue();
    } catch (IOException e) {
      throw Bq2Exception.needsPerson("cannot enter the rootfs namespace: " + e.getMessage()
          + "; install util-linux (unshare, mount)");
    }
    if (rc == 0 && output.endsWith("bq2-namespace-ok")) return;
    throw Bq2Exception.needsPerson(explain(output, NamespaceCheck.run(Path.of("/proc"), !privileged)));
  }

  /** One message: what failed, then each check that explains it with its fix. */
  public String explain(String output, List<NamespaceCheck.Problem> problems) {
    String last = output.isBlank() ? "(no output)" : output.substring(output.lastIndexOf('\n') + 1);
    String how = privileged ? "mount namespace + chroot as root" : "user + mount namespaces (unshare --user --map-root-user)";
    StringBuilder sb = new StringBuilder("cannot enter the rootfs at " + rootfs + " (" + how + "): " + last);
    if (problems.isEmpty()) {
      sb.append("; no known restriction detected (checked userns sysctls, AppArmor, NoNewPrivs, seccomp, /dev nodev)")
          .append("; run as root, or in a container started with --privileged");
    } else {
      sb.append("; failed checks: ");
      List<String> parts = new ArrayList<>();
      problems.forEach(p -> parts.add(p.toString()));
      sb.append(String.join("; ", parts));
    }
    sb.append(". Not running outside the rootfs.");
    return sb.toString();
  }

  private List<String> prefix() {
    List<String> cmd = new ArrayList<>(List.of(tool("unshare")));
    if (!privileged) cmd.addAll(List.of("--user", "--map-root-user"));
    cmd.addAll(List.of("--mount", "--propagation", "private", "--", tool("sh"), "-c"));
    return cmd;
  }

  /** The host-side sh script: binds and mounts, then chroot + chdir + exec with a cleared env. */
  String script(boolean exec) {
    StringBuilder s = new StringBuilder();
    s.append("R=").append(q(rootfs.toString())).append('\n');
    s.append("fail() { echo \"bq2-namespace: $*\" >&2; exit ").append(SETUP_FAILED).append("; }\n");
    for (Bind b : binds) {
      String dst = "\"$R\"" + q(b.target());
      s.append("mkdir -p ").append(dst).append(" && mount --rbind ").append(q(b.source().toString())).append(' ').append(dst)
          .append(" || fail ").append(q("bind " + b.source() + " -> " + b.target() + " failed")).append('\n');
    }
    for (String sys : List.of("/proc", "/sys", "/dev")) {
      s.append("mkdir -p \"$R\"").append(sys).append(" && mount --rbind ").append(sys).append(" \"$R\"").append(sys)
          .append(" || fail 'mount failed for ").append(sys).append("'\n");
    }
    s.append("mkdir -p \"$R\"/tmp && mount -t tmpfs -o nosuid,nodev tmpfs \"$R\"/tmp || fail 'mount failed for /tmp (tmpfs)'\n");
    if (!exec) {
      s.append("echo bq2-namespace-ok\n");
      return s.toString();
    }
    s.append("exec ").append(q(tool("env"))).append(keepEnvironment ? "" : " -i");
    env.forEach((k, v) -> s.append(' ').append(q(k + "=" + v)));
    s.append(' ').append(q(tool("unshare"))).append(" --root=\"$R\" --wd=").append(q(workdir)).append(" -- \"$@\"\n");
    return s.toString();
  }

  /** A shell-quoted word. */
  static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Shell-quoted argv on one line, for `--print`. */
  public static String display(List<String> argv) {
    List<String> words = new ArrayList<>();
    for (String a : argv) words.add(a.matches("[A-Za-z0-9_./:=@%+-]+") ? a : q(a));
    return String.join(" ", words);
  }

  /** True when we hold CAP_SYS_ADMIN (bit 21 of CapEff), as the existing tool decides. */
  static boolean hasSysAdmin() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 21)) != 0;
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }

  private static String tool(String name) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) return p.toString();
    }
    return name;
  }
}
