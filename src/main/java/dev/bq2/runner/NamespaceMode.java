package dev.bq2.runner;

/** `--namespace-mode`: where `seed`/`bq2` phases run. */
public enum NamespaceMode {
  /** Run each command of such a phase inside its rootfs (the default; never silently on the host). */
  ENTER("enter"),
  /** Stop such a phase with a failure report. */
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
    throw new IllegalArgumentException("expected enter, refuse or in-place, got " + s);
  }
}
