package dev.bq2.demo;

import dev.bq2.Bq2Exception;
import dev.bq2.annotate.GitRepo;
import dev.bq2.annotate.PlanSpec;
import dev.bq2.json.AtomicFile;
import dev.bq2.plan.BuildPlan;
import dev.bq2.rootfs.RootfsLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Writes the self-contained demo: `DIR/repo/` (a git repo standing in for the builder, with the
 * plan spec the plan is generated from) and `DIR/rootfs/` (the rootfs with its `var/lib/` files
 * and six tiny C/C++ packages under `workspace/`, five of which fail on first build with
 * distinct, realistic failures).
 */
public final class DemoWriter {
  /** Marks a folder as ours, so rerunning the demo may delete it and nothing else. */
  public static final String MARKER = ".bq2-demo";

  /** package → (werror default, optional features configure refuses without). */
  record DemoPackage(String dir, boolean werrorDefault, String features) {}

  static final List<DemoPackage> PACKAGES = List.of(
      new DemoPackage("hello-1.0", false, ""),
      new DemoPackage("libcounter-1.0", false, ""),
      new DemoPackage("libstrict-1.0", true, ""),
      new DemoPackage("mathtool-1.0", false, ""),
      new DemoPackage("cxxutil-1.0", false, ""),
      new DemoPackage("optfeat-1.0", false, "foo"));

  static final List<String> PACKAGE_FILES = List.of(
      "hello-1.0/hello.c", "hello-1.0/Makefile",
      "libcounter-1.0/counter.h", "libcounter-1.0/counter.c", "libcounter-1.0/main.c", "libcounter-1.0/Makefile",
      "libstrict-1.0/strict.c", "libstrict-1.0/Makefile",
      "mathtool-1.0/hyp.c", "mathtool-1.0/Makefile",
      "cxxutil-1.0/checksum.cc", "cxxutil-1.0/Makefile",
      "optfeat-1.0/optfeat.c", "optfeat-1.0/Makefile");

  public record Demo(Path dir, Path repo, Path rootfs, Path planSpec) {}

  private DemoWriter() {}

  public static Demo write(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    clear(d);
    Path repo = d.resolve("repo");
    Path rootfs = d.resolve("rootfs");
    try {
      Files.createDirectories(d);
      Files.writeString(d.resolve(MARKER), "bq2 demo; safe to delete\n");
      Files.createDirectories(repo.resolve("patches"));
      Files.writeString(repo.resolve("patches/.gitkeep"), "");
      Files.createDirectories(repo.resolve("session"));
      Files.writeString(repo.resolve("README.md"),
          "# Demo builder repo\n\nStands in for the builder: `plan-spec.json` generates the plan "
              + "(`bq2 plan-write`); back-annotation folds proven overrides into it.\n");
      Files.writeString(repo.resolve(".gitignore"), "session/\n");
      String spec = resource("demo/plan-spec.json").replace("@ARCH@", arch());
      Path specFile = repo.resolve("plan-spec.json");
      AtomicFile.write(specFile, spec);

      String configure = resource("demo/configure.in.sh");
      for (DemoPackage p : PACKAGES) {
        Path pkg = rootfs.resolve("workspace").resolve(p.dir());
        Files.createDirectories(pkg);
        Path conf = pkg.resolve("configure");
        Files.writeString(conf, configure.replace("@WERROR_DEFAULT@", p.werrorDefault() ? "yes" : "no")
            .replace("@FEATURES@", p.features()).replace("@FEATURE_HELP@", featureHelp(p.features())));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      for (String f : PACKAGE_FILES) {
        Path target = rootfs.resolve("workspace").resolve(f);
        Files.writeString(target, resource("demo/packages/" + f));
      }
      Files.createDirectories(rootfs.resolve("var/lib"));
      BuildPlan plan = PlanSpec.read(specFile).generate(specFile);
      AtomicFile.writeJson(RootfsLayout.of(rootfs).plan(), plan);
      git(repo, "init", "-q", "-b", "main");
      git(repo, "config", "user.name", "bq2 demo");
      git(repo, "config", "user.email", "bq2-demo@localhost");
      git(repo, "add", "-A");
      git(repo, "commit", "-q", "-m", "Demo builder: plan spec for core-libs and userland");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Demo(d, repo, rootfs, repo.resolve("plan-spec.json"));
  }

  /** Deletes a previous demo; refuses to delete a folder that is not one. */
  static void clear(Path d) {
    if (!Files.exists(d)) return;
    boolean empty;
    try (Stream<Path> s = Files.list(d)) {
      empty = s.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!empty && !Files.exists(d.resolve(MARKER))) {
      throw Bq2Exception.badInput(d + ": exists and is not a bq2 demo folder (no " + MARKER
          + "); pass --dir with a new or empty folder");
    }
    try (Stream<Path> walk = Files.walk(d)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the previous demo at " + d, e);
    }
  }

  static String arch() {
    String a = System.getProperty("os.arch", "x86_64").toLowerCase(Locale.ROOT);
    return switch (a) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> a;
    };
  }

  static String resource(String name) throws IOException {
    try (InputStream in = DemoWriter.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IOException("missing resource " + name + " in the bq2 jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void git(Path repo, String... args) {
    GitRepo.git(repo, List.of(args));
  }

  /** `--help` lines spelled out, as a hand-written configure lists its switches (and as rules read them). */
  static String featureHelp(String features) {
    StringBuilder b = new StringBuilder();
    for (String f : features.trim().split("\\s+")) {
      if (!f.isEmpty()) b.append("      echo \"  --without-").append(f).append("       build without ").append(f).append(" support\"\n");
    }
    return b.toString().stripTrailing();
  }
}
