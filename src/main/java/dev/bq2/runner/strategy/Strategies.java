package dev.bq2.runner.strategy;

import dev.bq2.runner.Strategy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in strategies by name (docs/formats.md#upstream-formats). An unknown name is a failure report, never
 * a fallback to autotools as in the old tool. `shell` is our addition.
 */
public final class Strategies {
  private static final Map<String, Strategy> BUILT_IN;

  static {
    Map<String, Strategy> m = new LinkedHashMap<>();
    CmakeProjectStrategy cmakeProject = new CmakeProjectStrategy();
    m.put("autotools", new AutotoolsStrategy(cmakeProject));
    m.put("cmake", new CmakeBootstrapStrategy());
    m.put("cmake-project", cmakeProject);
    m.put("makefile-classic", new MakefileClassicStrategy());
    m.put("busybox", new BusyboxStrategy());
    m.put("linux-headers", new LinuxHeadersStrategy());
    m.put("write-file", new WriteFileStrategy());
    m.put("symlink", new SymlinkStrategy());
    m.put("copy-tree", new CopyTreeStrategy());
    m.put("remove-tree", new RemoveTreeStrategy());
    m.put("prepare-rootfs", new PrepareRootfsStrategy());
    m.put("tarball", new TarballStrategy());
    m.put("download-sources", new DownloadSourcesStrategy());
    m.put("extract-sources", new ExtractSourcesStrategy("extract-sources"));
    m.put("populate-seed", new ExtractSourcesStrategy("populate-seed"));
    m.put("prefetch-shards", new PrefetchShardsStrategy());
    m.put("crystal-compiler", new CrystalCompilerStrategy());
    m.put("crystal-build", new CrystalBuildStrategy());
    m.put("crystal", new CrystalStrategy());
    m.put("apk-add", new ApkAddStrategy(null));
    m.put("alpine-setup", new ApkAddStrategy(ApkAddStrategy.SYSROOT_RUNNER_PACKAGES));
    m.put("shell", new ShellStrategy());
    BUILT_IN = Collections.unmodifiableMap(m);
  }

  private Strategies() {}

  private static final Strategy.Catalog CATALOG = new Strategy.Catalog() {
    @Override
    public Optional<Strategy> find(String name) {
      return Strategies.find(name);
    }

    @Override
    public Set<String> names() {
      return Strategies.names();
    }
  };

  /** The built-in strategies, as the runner takes them. */
  public static Strategy.Catalog catalog() {
    return CATALOG;
  }

  public static Optional<Strategy> find(String name) {
    return Optional.ofNullable(BUILT_IN.get(name));
  }

  /** Names in catalogue order, for "unknown strategy" messages and docs. */
  public static Set<String> names() {
    return BUILT_IN.keySet();
  }
}
