package dev.bq2.annotate;

import dev.bq2.plan.Overrides;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one back-annotation commit's message (docs/back-annotate.md): the subject names the
 * behaviour change, the packages and phases, and the architecture; the body lists each change
 * with why it was made (from the overrides history), how it was verified, and the session
 * journal's summary.
 */
final class CommitMessage {
  private CommitMessage() {}

  static String of(Completion.Proven proven, Overrides relocated, String arch, Provenance prov, List<String> checks,
      List<Sessions.Summary> summaries, String builder) {
    List<OverridesText.Change> changes = OverridesText.changes(relocated);
    Set<String> packages = new LinkedHashSet<>();
    for (OverridesText.Change c : changes) if (c.step() != null) packages.add(c.step());
    String what = packages.isEmpty() ? "phase settings" : abbreviate(new ArrayList<>(packages), 4);
    StringBuilder m = new StringBuilder();
    m.append("Build ").append(what).append(" with proven fixes in ").append(String.join(", ", proven.phases()))
        .append(" (").append(arch).append(")\n\n");
    m.append("Back-annotates the build-plan overrides that made phase(s) ").append(String.join(", ", proven.phases()))
        .append(" complete on ").append(arch).append(" into the ").append(builder)
        .append(", so the generated plan builds them without overrides.\n\n");
    m.append("Behaviour changes (architecture ").append(arch).append("):\n");
    for (OverridesText.Change c : changes) {
      m.append("- ").append(c.line()).append('\n');
      for (Provenance.Delta d : prov.inForce(c.phase(), c.step())) {
        m.append("  why (").append(Objects.requireNonNullElse(d.proposer(), "?")).append("): ")
            .append(BackAnnotator.oneLine(Objects.requireNonNullElse(d.rationale(), "(no rationale recorded)"))).append('\n');
      }
    }
    m.append("\nVerified: the regenerated plan equals the previous plan with these overrides applied");
    if (checks.isEmpty()) m.append(".\n");
    else m.append("; checks passed: ").append(String.join("; ", checks)).append(".\n");
    for (Sessions.Summary s : summaries) {
      m.append("\nSession ").append(s.session().getFileName()).append(":\n").append(s.text()).append('\n');
    }
    return m.toString();
  }

  private static String abbreviate(List<String> names, int max) {
    if (names.size() <= max) return String.join(", ", names);
    return String.join(", ", names.subList(0, max)) + " and " + (names.size() - max) + " more";
  }
}
