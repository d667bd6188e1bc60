package dev.bq2.rootfs;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start this program again as a child process (our own `sysroot-runner` and
 * `sysroot-status`), whether it runs from the shaded jar or, in tests, from target/classes.
 */
public final class OwnCommand {
  static final String MAIN_CLASS = "dev.bq2.cli.Bq2";

  private OwnCommand() {}

  /**
   * Start-up options of bin/bq2: the runner and status are short-lived and wait on child
   * processes, so the quick-starting C1 compiler and the serial GC save about a second per
   * launch (one per autopilot iteration). No perf data: the JVM would otherwise create
   * /tmp/hsperfdata_<user>, and a run writes nothing outside its rootfs and session folder.
   */
  static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");

  /** `<java> -jar <bq2.jar> <subcommand>` or `<java> -cp <class path> dev.bq2.cli.Bq2 <subcommand>`. */
  public static List<String> argv(String subcommand) {
    List<String> argv = new ArrayList<>();
    argv.add(javaBinary());
    argv.addAll(JVM_OPTIONS);
    Path jar = ownJar();
    if (jar != null) {
      argv.addAll(classDataSharing(jar, subcommand));
      argv.add("-jar");
      argv.add(jar.toString());
    } else {
      argv.add("-cp");
      argv.add(System.getProperty("java.class.path"));
      argv.add(MAIN_CLASS);
    }
    argv.add(subcommand);
    return argv;
  }

  /**
   * The same per-command class data sharing archive as bin/bq2 (`target/cds/<command>.jsa`):
   * used when it is newer than the jar, else made by this run's exit. About 0.1 s per runner
   * start (see docs/benchmarks.md).
   */
  static List<String> classDataSharing(Path jar, String subcommand) {
    Path dir = jar.resolveSibling("cds");
    Path archive = dir.resolve(subcommand.replaceAll("[^a-z0-9-]", "_") + ".jsa");
    try {
      if (Files.isRegularFile(archive)
          && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
      }
      Files.createDirectories(dir);
      if (Files.isWritable(dir)) {
        return List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
      }
    } catch (java.io.IOException e) {
      // no archive: a slower start, nothing else
    }
    return List.of();
  }

  static String javaBinary() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }

  /** The jar our classes were loaded from, else `${bq2.home}/target/bq2.jar`, else null (class directories). */
  static Path ownJar() {
    try {
      CodeSource cs = Class.forName(MAIN_CLASS).getProtectionDomain().getCodeSource();
      if (cs != null && cs.getLocation() != null) {
        Path p = Path.of(cs.getLocation().toURI());
        if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) return p;
        if (Files.isDirectory(p)) return null; // target/classes: the class path is the truth
      }
    } catch (ClassNotFoundException | URISyntaxException | IllegalArgumentException | SecurityException e) {
      // fall through to bq2.home
    }
    String home = System.getProperty("bq2.home");
    if (home != null) {
      Path jar = Path.of(home, "target", "bq2.jar");
      if (Files.isRegularFile(jar)) return jar;
    }
    return null;
  }
}
