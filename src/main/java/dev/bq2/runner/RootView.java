package dev.bq2.runner;

import dev.bq2.Bq2Exception;
import dev.bq2.namespace.Bind;
import dev.bq2.namespace.NamespaceEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The file-system view of a `seed` or `bq2` phase (docs/formats.md#upstream-formats): which host directory
 * is `/` inside, which host directories are bound where, and how a command is started inside.
 *
 * <p>Our runner stays on the host (logs, reports and state are written there) and only the
 * step's external commands enter the rootfs, one namespace entry per command. Java-implemented
 * strategies (write-file, symlink, copy-tree, remove-tree, …) work on host paths: every plan
 * path is mapped with {@link #hostPath}, and host paths that strategies put into a
 * command line are mapped back with {@link #insideArgv}.
 */
public final class RootView {
  /** A host directory visible inside at {@code inside} (`/` for the root itself). */
  public record Mount(String inside, Path host) {}

  private final String namespace;
  private final Path root;
  private final List<Bind> binds;
  /** Longest inside path first, so `/opt/sysroot/x` maps through its bind before `/`. */
  private final List<Mount> byInside;
  /** Longest host path first, for mapping host paths back. */
  private final List<Mount> byHost;

  public RootView(String namespace, Path root, List<Bind> binds) {
    this.namespace = namespace;
    this.root = root.toAbsolutePath().normalize();
    this.binds = List.copyOf(binds);
    List<Mount> mounts = new ArrayList<>();
    for (Bind b : binds) mounts.add(new Mount(trimSlash(b.target()), b.source()));
    mounts.add(new Mount("/", this.root));
    this.byInside = mounts.stream().sorted(Comparator.comparingInt((Mount m) -> -m.inside().length())).toList();
    this.byHost = mounts.stream().sorted(Comparator.comparingInt((Mount m) -> -m.host().toString().length())).toList();
  }

  public String namespace() {
    return namespace;
  }

  /** The host directory that is `/` inside. */
  public Path root() {
    return root;
  }

  /**
   * The host path of a plan path as seen inside: absolute paths through the binds or under the
   * root; relative ones against {@code hostCwd} (the step's workdir, already on the host).
   */
  public Path hostPath(String path, Path hostCwd) {
    if (!path.startsWith("/")) return hostCwd.resolve(path).normalize();
    String p = Path.of(path).normalize().toString();
    for (Mount m : byInside) {
      if (m.inside().equals("/")) return m.host().resolve(p.substring(1)).normalize();
      if (p.equals(m.inside()) || p.startsWith(m.inside() + "/")) {
        return m.host().resolve(p.substring(m.inside().length()).replaceFirst("^/", "")).normalize();
      }
    }
    return root.resolve(p.substring(1)).normalize();
  }

  /** The inside path of a host path, or null when it is not visible inside. */
  public String insidePath(Path host) {
    Path h = host.toAbsolutePath().normalize();
    for (Mount m : byHost) {
      if (h.startsWith(m.host())) {
        String rest = m.host().relativize(h).toString();
        if (rest.isEmpty()) return m.inside();
        return m.inside().equals("/") ? "/" + rest : m.inside() + "/" + rest;
      }
    }
    return null;
  }

  /** The argv with every host path under a mount (alone or inside a word such as `DESTDIR=…`) written as seen inside. */
  public List<String> insideArgv(List<String> argv) {
    List<String> out = new ArrayList<>(argv.size());
    for (String word : argv) out.add(insideWord(word));
    return out;
  }

  String insideWord(String word) {
    String w = word;
    for (Mount m : byHost) {
      String host = m.host().toString();
      StringBuilder sb = new StringBuilder();
      int from = 0;
      int at;
      while ((at = w.indexOf(host, from)) >= 0) {
        int end = at + host.length();
        boolean boundary = end == w.length() || w.charAt(end) == '/' || w.charAt(end) == ':' || w.charAt(end) == ' ';
        sb.append(w, from, at);
        if (!boundary) {
          sb.append(host);
        } else if (m.inside().equals("/")) {
          sb.append(end < w.length() && w.charAt(end) == '/' ? "" : "/");
        } else {
          sb.append(m.inside());
        }
        from = end;
      }
      sb.append(w.substring(from));
      w = sb.toString();
    }
    return w;
  }

  /**
   * The host argv running {@code argv} inside, with the working directory {@code hostCwd} seen
   * from inside (`/` when it is not visible there) and the caller's environment kept.
   */
  public List<String> wrap(List<String> argv, Path hostCwd) {
    String wd = insidePath(hostCwd);
    return entry(wd == null ? "/" : wd).wrap(insideArgv(argv));
  }

  /**
   * Sets the namespace up once without running anything, so a phase fails before its first
   * step when it cannot be entered; the message names the failed check and its fix.
   */
  public void probe() throws StepFailedException, InterruptedException {
    try {
      entry("/").probe();
    } catch (Bq2Exception e) {
      throw new StepFailedException(e.getMessage());
    }
  }

  private NamespaceEntry entry(String workdir) {
    NamespaceEntry.Builder b = NamespaceEntry.builder(root).keepEnvironment().workdir(workdir);
    binds.forEach(b::bind);
    return b.build();
  }

  private static String trimSlash(String s) {
    String t = s.replaceAll("/+$", "");
    return t.isEmpty() ? "/" : t;
  }
}
