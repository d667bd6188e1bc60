package dev.bq2.redact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bq2.json.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it leaves the machine or reaches a file we write from build
 * output (reports, journals, session copies): the values of environment variables
 * whose names say they are secret (TOKEN, SECRET, PASSWORD, KEY, CREDENTIAL), wherever those
 * values appear, assignments and JSON members with such names, and strings shaped like API keys.
 * Over-redacting is harmless here; a leaked key is not.
 */
public final class Redactor {
  public static final String MASK = "[REDACTED]";
  private static final String SECRET_WORD = "(?:TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL)";
  private static final Pattern SECRET_NAME = Pattern.compile(".*" + SECRET_WORD + ".*", Pattern.CASE_INSENSITIVE);
  /** Known values shorter than this are not hunted for everywhere (too many false hits). */
  private static final int MIN_VALUE = 6;

  private static final List<Pattern> SHAPES = List.of(
      // JSON member: "GITHUB_TOKEN": "value"
      Pattern.compile("(\"[A-Za-z0-9_.-]*" + SECRET_WORD + "[A-Za-z0-9_.-]*\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)+)(\")",
          Pattern.CASE_INSENSITIVE),
      // Shell/env assignment: API_KEY=value, export MY_SECRET='value'
      Pattern.compile("(\\b[A-Za-z0-9_]*" + SECRET_WORD + "[A-Za-z0-9_]*=)('[^']*'|\"[^\"]*\"|[^\\s'\"]+)()",
          Pattern.CASE_INSENSITIVE),
      // Authorization headers.
      Pattern.compile("(\\bBearer\\s+)([A-Za-z0-9+/=._~-]{16,})()"),
      // Key shapes: OpenAI/Anthropic, GitHub, AWS access keys, Slack, Google.
      Pattern.compile("()(\\bsk-[A-Za-z0-9_-]{16,})()"),
      Pattern.compile("()(\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\\bgithub_pat_[A-Za-z0-9_]{20,})()"),
      Pattern.compile("()(\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b)()"),
      Pattern.compile("()(\\bxox[abposr]-[A-Za-z0-9-]{10,})()"),
      Pattern.compile("()(\\bAIza[0-9A-Za-z_-]{35})()"));

  private final List<String> knownValues;

  /** Hunts for the values of secret-named variables in {@code env} (usually the process env). */
  public Redactor(Map<String, String> env) {
    List<String> values = new ArrayList<>();
    env.forEach((name, value) -> {
      if (value != null && value.length() >= MIN_VALUE && isSecretName(name)) values.add(value);
    });
    values.sort(Comparator.comparingInt(String::length).reversed());
    this.knownValues = List.copyOf(values);
  }

  public static Redactor forProcessEnv() {
    return new Redactor(System.getenv());
  }

  public static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name.toUpperCase(Locale.ROOT)).matches();
  }

  public String redact(String text) {
    if (text == null) return null;
    String out = text;
    for (String v : knownValues) out = out.replace(v, MASK);
    for (Pattern p : SHAPES) {
      Matcher m = p.matcher(out);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String replacement = m.group(2).equals(MASK) || m.group(2).equals("'" + MASK + "'")
            ? m.group(0) : m.group(1) + MASK + m.group(3);
        m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(sb);
      out = sb.toString();
    }
    return out;
  }

  /** Every string in a JSON-shaped value (record, map, list), redacted; the structure is kept. */
  public <T> T redactJson(T value, Class<T> type) {
    if (value == null) return null;
    JsonNode tree = Json.MAPPER.valueToTree(value);
    try {
      return Json.MAPPER.treeToValue(redactNode(tree), type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("redacting a " + type.getSimpleName() + " broke its shape", e);
    }
  }

  private JsonNode redactNode(JsonNode n) {
    if (n.isTextual()) return TextNode.valueOf(redact(n.asText()));
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      o.fields().forEachRemaining(e -> e.setValue(redactNode(e.getValue())));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = (ArrayNode) n;
      for (int i = 0; i < a.size(); i++) a.set(i, redactNode(a.get(i)));
      return a;
    }
    return n;
  }

  /**
   * Copies a text file line by line with secrets removed (bounded memory, whatever the size);
   * bytes that are not UTF-8 become U+FFFD in the copy.
   */
  public void copyRedacted(Path from, Path to) throws IOException {
    // A new copy is 0644 like every file we create (the raw step log it may come from is 0600:
    // the copy has its secrets removed); an existing copy keeps its mode.
    if (!Files.exists(to)) {
      Files.createFile(to);
      try {
        Files.setPosixFilePermissions(to, dev.bq2.json.AtomicFile.NEW_FILE_MODE);
      } catch (UnsupportedOperationException notPosix) {
        // nothing to set
      }
    }
    if (from.getFileName().toString().endsWith(".json") && Files.size(from) < (64L << 20)) {
      // A report: redact its strings, not its text, so JSON escapes are never cut in half.
      try {
        JsonNode tree = Json.MAPPER.readTree(Files.readString(from, StandardCharsets.UTF_8));
        if (tree != null && tree.isContainerNode()) {
          Files.writeString(to, Json.pretty(redactNode(tree)), StandardCharsets.UTF_8);
          return;
        }
      } catch (IOException notJson) {
        // not JSON after all: copied as text below
      }
    }
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(from), dec));
         BufferedWriter out = Files.newBufferedWriter(to, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(redact(line));
        out.write('\n');
      }
    }
  }
}
