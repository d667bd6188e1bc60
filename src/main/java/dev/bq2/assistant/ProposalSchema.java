package dev.bq2.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import dev.bq2.propose.Proposal;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proposal JSON schema given to assistants (`schemas/proposal.schema.json`, strict in the
 * OpenAI structured-output style: every key required, no extra keys, so `env` is a list of
 * name/value pairs) and our own check of answers against it: Codex does not check that its final
 * message matches the schema, and a command proposer may print anything.
 */
public final class ProposalSchema {
  public static final String RESOURCE = "/schemas/proposal.schema.json";
  private static final JsonNode SCHEMA = load();

  private ProposalSchema() {}

  /** The schema text, compact, as given inline to Claude Code and in prompts. */
  public static String text() {
    return Json.line(SCHEMA);
  }

  public static String pretty() {
    return Json.pretty(SCHEMA);
  }

  /** Writes the schema to {@code file} (Codex's `--output-schema` takes a file). */
  public static Path writeTo(Path file) {
    AtomicFile.write(file, pretty());
    return file;
  }

  /**
   * Parses an assistant's answer into a proposal. The one leniency: `env` may also be a JSON
   * object of strings (the overrides-file shape a command proposer may print).
   *
   * @throws InvalidProposalException naming the JSON place and what is wrong
   */
  public static Proposal parse(String answer) throws InvalidProposalException {
    if (answer == null || answer.isBlank()) throw new InvalidProposalException("empty answer, expected a proposal JSON object");
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(answer.strip());
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at " + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
      throw new InvalidProposalException("not JSON" + where + ": " + firstLine(e.getOriginalMessage()));
    }
    return fromTree(node);
  }

  public static Proposal fromTree(JsonNode node) throws InvalidProposalException {
    if (node instanceof ObjectNode obj && obj.get("env") instanceof ObjectNode envObj) {
      ArrayNode pairs = Json.MAPPER.createArrayNode();
      Iterator<Map.Entry<String, JsonNode>> it = envObj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        pairs.addObject().put("name", e.getKey()).set("value", e.getValue());
      }
      obj = obj.deepCopy();
      obj.set("env", pairs);
      node = obj;
    }
    List<String> problems = new ArrayList<>();
    check(SCHEMA, node, "$", problems);
    if (!problems.isEmpty()) {
      throw new InvalidProposalException("does not match the proposal schema: " + String.join("; ", problems));
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode pair : node.get("env")) {
      String name = pair.get("name").asText();
      if (env.put(name, pair.get("value").asText()) != null) {
        throw new InvalidProposalException("does not match the proposal schema: $.env: \"" + name + "\" given twice");
      }
    }
    return new Proposal(
        node.get("phase").asText(),
        textOrNull(node.get("step")),
        strings(node.get("configure_flags_add")),
        env,
        strings(node.get("patches_add")),
        textOrNull(node.get("build_dir")),
        node.get("clean_build").isNull() ? null : node.get("clean_build").asBoolean(),
        node.get("rationale").asText(),
        node.get("escalate").asBoolean());
  }

  /** The subset of JSON Schema the proposal schema uses: type, properties, required, additionalProperties, items. */
  private static void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
    JsonNode type = schema.get("type");
    if (type != null && !typeMatches(type, value)) {
      problems.add(at + ": expected " + (type.isArray() ? join(type) : type.asText()) + ", got " + kind(value));
      return;
    }
    if (value.isObject()) {
      JsonNode props = schema.path("properties");
      for (JsonNode req : schema.path("required")) {
        if (!value.has(req.asText())) problems.add(at + ": missing required key \"" + req.asText() + "\"");
      }
      Iterator<String> names = value.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (props.has(name)) {
          check(props.get(name), value.get(name), at + "." + name, problems);
        } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
          problems.add(at + ": unexpected key \"" + name + "\"");
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) check(schema.get("items"), value.get(i), at + "[" + i + "]", problems);
    }
  }

  private static boolean typeMatches(JsonNode type, JsonNode value) {
    if (type.isArray()) {
      for (JsonNode t : type) if (typeMatches(t, value)) return true;
      return false;
    }
    return switch (type.asText()) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "boolean" -> value.isBoolean();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "null" -> value.isNull();
      default -> false;
    };
  }

  private static String kind(JsonNode v) {
    if (v.isObject()) return "object";
    if (v.isArray()) return "array";
    if (v.isTextual()) return "string";
    if (v.isBoolean()) return "boolean";
    if (v.isNumber()) return "number";
    return "null";
  }

  private static String join(JsonNode types) {
    List<String> s = new ArrayList<>();
    types.forEach(t -> s.add(t.asText()));
    return String.join(" or ", s);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static String firstLine(String s) {
    if (s == null) return "parse error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static JsonNode load() {
    try (InputStream in = ProposalSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
      return Json.MAPPER.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An answer that is not a valid proposal; the message says where and why. */
  public static final class InvalidProposalException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidProposalException(String message) {
      super(message);
    }
  }
}
