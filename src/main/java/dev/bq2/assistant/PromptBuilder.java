package dev.bq2.assistant;

import dev.bq2.diagnose.Diagnosis;
import dev.bq2.json.Json;
import dev.bq2.propose.ProposalRequest;
import dev.bq2.propose.TriedDelta;
import dev.bq2.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the prompt an assistant gets for one failure from a template (`prompts/<name>.md`): the
 * first template found in the given folders (the repo's `prompts/`, so users can tune it), else
 * the copy in the jar. Every field is redacted before it is placed; the log excerpt is fenced as
 * untrusted data.
 */
public final class PromptBuilder {
  public static final String PROPOSE = "propose-override.md";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

  private final List<Path> templateDirs;
  private final Redactor redactor;

  public PromptBuilder(List<Path> templateDirs, Redactor redactor) {
    this.templateDirs = List.copyOf(templateDirs);
    this.redactor = redactor;
  }

  /** Template folders to try: `<repo>/prompts`, then the autopilot checkout's `prompts/` (beside bin/bq2). */
  public static List<Path> defaultDirs(Path repo) {
    List<Path> dirs = new ArrayList<>();
    if (repo != null) dirs.add(repo.resolve("prompts"));
    String launcher = System.getProperty("bq2.launcher");
    if (launcher != null) {
      Path bin = Path.of(launcher).toAbsolutePath().getParent();
      if (bin != null && bin.getParent() != null) dirs.add(bin.getParent().resolve("prompts"));
    }
    return dirs;
  }

  /** The template text, and where it came from (a path, or `jar:`). */
  public record Template(String text, String source) {}

  public Template template(String name) {
    for (Path dir : templateDirs) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        try {
          return new Template(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read prompt template " + file, e);
        }
      }
    }
    try (InputStream in = PromptBuilder.class.getResourceAsStream("/prompts/" + name)) {
      if (in == null) throw new IllegalStateException("prompt template " + name + " is missing from the jar");
      return new Template(new String(in.readAllBytes(), StandardCharsets.UTF_8), "jar:/prompts/" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The redacted prompt for one failure. */
  public String proposePrompt(ProposalRequest request) {
    Diagnosis d = request.diagnosis();
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("failure_summary", summary(request));
    fields.put("log_excerpt", fence("text", d == null || d.excerpt() == null ? "(no log excerpt)" : String.join("\n", d.excerpt())));
    fields.put("step_json", fence("json", request.step() == null ? "null" : Json.pretty(request.step()).strip()));
    fields.put("overrides_json", request.overridesInForce() == null ? "(none)"
        : fence("json", Json.pretty(request.overridesInForce()).strip()));
    fields.put("tried", tried(request.tried()));
    fields.put("schema", fence("json", ProposalSchema.pretty().strip()));
    return render(template(PROPOSE).text(), fields);
  }

  /** Replaces `{{name}}` with the redacted field; an unknown placeholder is left as it is. */
  public String render(String template, Map<String, String> fields) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = fields.get(m.group(1));
      m.appendReplacement(sb, Matcher.quoteReplacement(value == null ? m.group(0) : redactor.redact(value)));
    }
    m.appendTail(sb);
    return redactor.redact(sb.toString());
  }

  private static String summary(ProposalRequest r) {
    Diagnosis d = r.diagnosis();
    List<String> lines = new ArrayList<>();
    lines.add("- phase: " + (r.phase() != null ? r.phase().name() : d == null ? "?" : d.phase())
        + (r.phase() != null ? " (namespace " + r.phase().namespace() + ")" : ""));
    lines.add("- step: " + (r.step() != null ? r.step().name() : d == null ? "?" : d.step())
        + (r.step() != null ? " (strategy " + r.step().strategy() + ")" : ""));
    if (d != null) {
      lines.add("- failure class: " + (d.failureClass() == null ? "unknown" : d.failureClass().name().toLowerCase()));
      if (d.error() != null) lines.add("- error: " + d.error().strip().replace('\n', ' '));
      if (d.exitCode() != null) lines.add("- exit code: " + d.exitCode());
      if (d.signature() != null) lines.add("- signature: " + d.signature());
      if (d.report() != null) lines.add("- report: " + d.report());
    }
    if (r.repo() != null) lines.add("- builder repo: " + r.repo());
    return String.join("\n", lines);
  }

  private static String tried(List<TriedDelta> tried) {
    if (tried == null || tried.isEmpty()) return "(none)";
    StringBuilder sb = new StringBuilder();
    int i = 1;
    for (TriedDelta t : tried) {
      sb.append(i++).append(". by ").append(Objects.requireNonNullElse(t.proposer(), "?"))
          .append(", outcome ").append(Objects.requireNonNullElse(t.outcome(), "pending")).append(":\n")
          .append(fence("json", Json.line(t.delta()))).append('\n');
    }
    return sb.toString().strip();
  }

  /** A Markdown fence longer than any backtick run inside, so the content cannot close it. */
  static String fence(String lang, String content) {
    int longest = 0;
    Matcher m = Pattern.compile("`+").matcher(content);
    while (m.find()) longest = Math.max(longest, m.group().length());
    String f = "`".repeat(Math.max(3, longest + 1));
    return f + lang + "\n" + content + "\n" + f;
  }
}
