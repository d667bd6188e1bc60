package dev.bq2.runner.strategy;

import dev.bq2.runner.Strategy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The built-in strategies by name. An unknown name is a failure report, never a fallback. */
public final class Strategies {
  private static final Map<String, Strategy> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put("shell", new ShellStrategy());
  }

  private Strategies() {}

  public static Optional<Strategy> find(String name) {
    return Optional.ofNullable(BUILT_IN.get(name));
  }

  public static java.util.Set<String> names() {
    return BUILT_IN.keySet();
  }
}
