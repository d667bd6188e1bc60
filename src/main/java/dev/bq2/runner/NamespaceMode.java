package dev.bq2.runner;

/** `--namespace-mode`: what to do with `seed`/`bq2` phases while namespace entry is not built. */
public enum NamespaceMode {
  /** Stop such a phase with a failure report (the default: never silently on the host). */
  REFUSE("refuse"),
  /** Run such a phase on the host, in place, because the user asked for it. */
  IN_PLACE("in-place");

  private final String flag;

  NamespaceMode(String flag) {
    this.flag = flag;
  }

  public String flag() {
    return flag;
  }

  public static NamespaceMode parse(String s) {
    for (NamespaceMode m : values()) {
      if (m.flag.equals(s)) return m;
    }
    throw new IllegalArgumentException("expected refuse or in-place, got " + s);
  }
}
