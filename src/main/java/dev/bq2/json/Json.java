package dev.bq2.json;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.bq2.Bq2Exception;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one configured Jackson mapper, and reading/writing JSON files with errors that name the
 * file, the line:column and the field.
 *
 * <p>Output matches the existing tool: 2-space pretty JSON, keys in declaration order, nulls
 * omitted (the failure report opts back into nulls itself). Input ignores unknown keys, as the
 * existing tool does, so files from other versions load.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
          .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
          .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false)
          .configure(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION, false)
          // Records only: helper methods such as isEmpty() must never become JSON keys.
          .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
          .visibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
          .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                      .withObjectEmptySeparator("")
                      .withArrayEmptySeparator(""))
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private Json() {}

  /** Pretty JSON text (2-space indent, trailing newline), as the existing tool writes it. */
  public static String pretty(Object value) {
    try {
      return PRETTY.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /** Compact one-line JSON, for JSONL files and `--json` output. */
  public static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /** Reads a file as {@code type}; every problem becomes a one-line exit-2 error. */
  public static <T> T read(Path file, Class<T> type, String fix) {
    String text = readText(file, fix);
    return parse(file, text, type, fix);
  }

  public static String readText(Path file, String fix) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw Bq2Exception.badInput(file + ": file not found; " + fix);
    } catch (IOException e) {
      throw Bq2Exception.badInput(file + ": cannot read (" + e.getMessage() + "); " + fix);
    }
  }

  public static <T> T parse(Path file, String text, Class<T> type, String fix) {
    try {
      if (text.isBlank()) {
        throw Bq2Exception.badInput(file + ":1:1: empty file; " + fix);
      }
      return MAPPER.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw Bq2Exception.badInput(describe(file, e) + "; " + fix);
    }
  }

  public static JsonNode tree(Path file, String text, String fix) {
    return parse(file, text, JsonNode.class, fix);
  }

  /** "FILE:LINE:COL: field a.b[2].c: what is wrong" from a Jackson error. */
  public static String describe(Path file, JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    String where = file + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr());
    String field = "";
    if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
      field = " field " + fieldPath(jme) + ":";
    }
    return where + ":" + field + " " + problem(e);
  }

  private static String fieldPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) sb.append('.');
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** What JSON a Java target type is written as, in the user's words. */
  static String jsonKind(Class<?> t) {
    if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()) return "an object";
    if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) return "an array";
    if (t == String.class) return "a string";
    if (t == Boolean.class || t == boolean.class) return "true or false";
    if (Number.class.isAssignableFrom(t) || t.isPrimitive()) return "a number";
    return "a " + t.getSimpleName();
  }

  private static String tokenKind(String msg) {
    if (msg.contains("START_ARRAY") || msg.contains("from Array value")) return "an array";
    if (msg.contains("START_OBJECT") || msg.contains("from Object value")) return "an object";
    if (msg.contains("VALUE_STRING") || msg.contains("from String")) return "a string";
    if (msg.contains("VALUE_NUMBER") || msg.contains("from Integer value") || msg.contains("from Floating-point value")) return "a number";
    if (msg.contains("VALUE_TRUE") || msg.contains("VALUE_FALSE") || msg.contains("from Boolean value")) return "a boolean";
    if (msg.contains("VALUE_NULL")) return "null";
    return "something else";
  }

  private static String problem(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    if (msg == null) msg = e.getClass().getSimpleName();
    if (e instanceof MismatchedInputException mie && msg.startsWith("Missing required creator property")) {
      int q1 = msg.indexOf('\'');
      int q2 = msg.indexOf('\'', q1 + 1);
      if (q1 >= 0 && q2 > q1) return "missing required key \"" + msg.substring(q1 + 1, q2) + "\"";
    }
    if (e instanceof InvalidNullException ine) {
      return "expected " + (ine.getTargetType() == null ? "a value" : jsonKind(ine.getTargetType())) + ", got null";
    }
    if (e instanceof MismatchedInputException mie && mie.getTargetType() != null
        && (msg.startsWith("Cannot deserialize") || msg.startsWith("Cannot construct") || msg.startsWith("Cannot coerce"))) {
      return "expected " + jsonKind(mie.getTargetType()) + ", got " + tokenKind(msg);
    }
    int nl = msg.indexOf('\n');
    if (nl >= 0) msg = msg.substring(0, nl);
    // Jackson's messages name Java types; keep the first clause, which names the JSON problem.
    msg = msg.replaceAll("`[a-zA-Z0-9_.$]+\\.([A-Za-z0-9_]+)`", "$1");
    return msg.trim();
  }
}
