package dev.bq2.diagnose;

/**
 * What kind of failure a report describes; drives rule lookup and journal summaries.
 * {@code CROSS_EXEC}: a target binary was run on the build machine during a cross build;
 * {@code MISSING_TOOL}: a program the build calls is not installed; {@code STATIC_LINK}: a
 * {@code -static} link met shared objects or libraries that have no static form.
 */
public enum FailureClass {
  CONFIGURE, COMPILE, LINK, INSTALL, PATCH, DOWNLOAD, NAMESPACE, INTERRUPTED, OUT_OF_MEMORY, STALLED,
  CROSS_EXEC, MISSING_TOOL, STATIC_LINK, UNKNOWN
}
