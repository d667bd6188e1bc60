package dev.bq2.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
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
 * name/value pairs) and the check of answers against it with networknt's json-schema-validator
 * (the schema file is the single source): Codex does not check that its final message matches
 * the schema, and a command proposer may print anything. Answers are parsed by the one strict
 * mapper, so a key given twice ("escalate": true, "escalate": false) is refused, not last-wins.
 */
public final class ProposalSchema {
  public static final String RESOURCE = "/schemas/proposal.schema.json";
  private static final JsonNode SCHEMA = load();
  /** networknt's validator, built once from the same schema file (draft 2020-12 semantics). */
  private static final Schema VALIDATOR = validator(SCHEMA);

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
      String msg = firstLine(e.getOriginalMessage());
      if (msg.startsWith("Duplicate field '")) {
        throw new InvalidProposalException("a key is given twice" + where + " (" + msg + "); each key may appear once");
      }
      throw new InvalidProposalException("not JSON" + where + ": " + msg);
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
    if (node == null || node.isMissingNode()) throw new InvalidProposalException("empty answer, expected a proposal JSON object");
    List<String> problems = new ArrayList<>();
    for (Error e : VALIDATOR.validate(node)) problems.add(describe(e));
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

  /** "$.configure_flags_add[0]: expected string, got number", in the words the old checks used. */
  private static String describe(Error e) {
    String at = jsonPath(e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString());
    Object[] args = e.getArguments() == null ? new Object[0] : e.getArguments();
    return switch (e.getKeyword() == null ? "" : e.getKeyword()) {
      case "type" -> at + ": expected " + typeOf(e.getSchemaNode()) + ", got " + kind(e.getInstanceNode());
      case "required" -> at + ": missing required key \"" + (args.length > 0 ? args[0] : e.getProperty()) + "\"";
      case "additionalProperties" -> at + ": unexpected key \"" + (args.length > 0 ? args[0] : e.getProperty()) + "\"";
      default -> at + ": " + e.getMessage();
    };
  }

  /** `/env/0/value` → `$.env[0].value`. */
  static String jsonPath(String pointer) {
    StringBuilder sb = new StringBuilder("$");
    for (String part : pointer.split("/")) {
      if (part.isEmpty()) continue;
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) sb.append('[').append(name).append(']');
      else sb.append('.').append(name);
    }
    return sb.toString();
  }

  private static String typeOf(JsonNode typeKeyword) {
    if (typeKeyword == null) return "another type";
    if (!typeKeyword.isArray()) return typeKeyword.asText();
    List<String> s = new ArrayList<>();
    typeKeyword.forEach(t -> s.add(t.asText()));
    return String.join(" or ", s);
  }

  private static String kind(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return "null";
    if (v.isObject()) return "object";
    if (v.isArray()) return "array";
    if (v.isTextual()) return "string";
    if (v.isBoolean()) return "boolean";
    if (v.isNumber()) return "number";
    return "null";
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

  private static Schema validator(JsonNode schema) {
    // The validator logs through SLF4J; without a provider SLF4J prints three warning lines on
    // stderr. We want none of its logging: select SLF4J's own no-op provider, quietly.
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.internal.verbosity", "WARN");
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
    }
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema);
  }

  /** An answer that is not a valid proposal; the message says where and why. */
  public static final class InvalidProposalException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidProposalException(String message) {
      super(message);
    }
  }
}
