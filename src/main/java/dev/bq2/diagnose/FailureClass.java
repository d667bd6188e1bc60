package dev.bq2.diagnose;

/** What kind of failure a report describes; drives rule lookup and journal summaries. */
public enum FailureClass {
  CONFIGURE, COMPILE, LINK, INSTALL, PATCH, DOWNLOAD, NAMESPACE, INTERRUPTED, OUT_OF_MEMORY, STALLED, UNKNOWN
}
