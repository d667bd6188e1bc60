package dev.bq2.annotate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bq2.Bq2Exception;
import dev.bq2.json.Json;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.PlanFiles;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plan-spec builder: the plan kept in the builder repo as JSON with `${VAR}` placeholders,
 * so it is portable. `vars` values are paths relative to the spec file's folder (or absolute).
 * Generating the plan substitutes every `${VAR}` in every string with the absolute path.
 * Back-annotation applies overrides to the spec's plan after turning absolute paths back into
 * `${VAR}` (see {@link #abstractPaths}).
 */
@JsonPropertyOrder({"spec_version", "vars", "plan"})
public record PlanSpec(
    @JsonProperty(required = true) Integer specVersion,
    Map<String, String> vars,
    @JsonProperty(required = true) JsonNode plan) {

  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  public PlanSpec {
    vars = vars == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(vars));
  }

  public static PlanSpec read(Path file) {
    return Json.read(file, PlanSpec.class, "fix the plan spec ({\"spec_version\": 1, \"vars\": {...}, \"plan\": {...}})");
  }

  /** VAR → absolute path, resolved against the spec file's folder. */
  public Map<String, String> resolvedVars(Path specFile) {
    Path base = specFile.toAbsolutePath().getParent();
    Map<String, String> m = new LinkedHashMap<>();
    vars.forEach((k, v) -> m.put(k, base.resolve(v).normalize().toString()));
    return m;
  }

  /** The plan this spec generates, with every `${VAR}` substituted. */
  public BuildPlan generate(Path specFile) {
    Map<String, String> values = resolvedVars(specFile);
    JsonNode substituted = transformStrings(plan.deepCopy(), s -> substitute(specFile, s, values));
    return PlanFiles.parsePlan(specFile, Json.pretty(substituted));
  }

  private static String substitute(Path specFile, String s, Map<String, String> values) {
    Matcher m = VAR.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw Bq2Exception.badInput(specFile + ": unknown variable ${" + m.group(1) + "} in plan; declare it under \"vars\"");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The reverse of substitution: absolute var paths inside strings become `${VAR}` again. */
  public JsonNode abstractPaths(Path specFile, JsonNode node) {
    Map<String, String> values = resolvedVars(specFile);
    return transformStrings(node.deepCopy(), s -> {
      String out = s;
      // longest value first, so nested paths map to the most specific variable
      for (Map.Entry<String, String> e : values.entrySet().stream()
          .sorted((a, b) -> b.getValue().length() - a.getValue().length()).toList()) {
        out = out.replace(e.getValue(), "${" + e.getKey() + "}");
      }
      return out;
    });
  }

  /** This spec with another plan (the vars kept). */
  public PlanSpec withPlan(JsonNode newPlan) {
    return new PlanSpec(specVersion, vars, newPlan);
  }

  /** This spec with one more var (or a var replaced); order kept, new ones last. */
  public PlanSpec withVar(String name, String value) {
    Map<String, String> m = new LinkedHashMap<>(vars);
    m.put(name, value);
    return new PlanSpec(specVersion, m, plan);
  }

  /** The spec's plan as plan records, placeholders left as they are. */
  public BuildPlan planRecords(Path specFile) {
    return PlanFiles.parsePlan(specFile, Json.pretty(plan));
  }

  /**
   * The spec's canonical text: 2-space JSON with each step (in `steps` and `extra_steps`) on one
   * line, so a back-annotation commit changes exactly the lines of the steps it changes.
   */
  public String render() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("spec_version", specVersion);
    ObjectNode v = root.putObject("vars");
    vars.forEach(v::put);
    root.set("plan", plan);
    StringBuilder sb = new StringBuilder();
    SpecText.block(sb, root, "", false);
    return sb.append('\n').toString();
  }

  /** Writes {@link #render()} atomically. */
  public void write(Path specFile) {
    dev.bq2.json.AtomicFile.write(specFile, render());
  }

  interface StringFn {
    String apply(String s);
  }

  static JsonNode transformStrings(JsonNode node, StringFn fn) {
    if (node.isTextual()) return TextNode.valueOf(fn.apply(node.textValue()));
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      Map<String, JsonNode> replaced = new LinkedHashMap<>();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        replaced.put(e.getKey(), transformStrings(e.getValue(), fn));
      }
      replaced.forEach(obj::set);
      return obj;
    }
    if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) arr.set(i, transformStrings(arr.get(i), fn));
      return arr;
    }
    return node;
  }
}
