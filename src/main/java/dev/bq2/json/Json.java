package dev.bq2.json;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
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
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.bq2.Bq2Exception;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one configured Jackson mapper, and reading/writing JSON files with errors that name the
 * file, the line:column and the field.
 *
 * <p>Output matches the existing tool: 2-space pretty JSON, keys in declaration order, nulls
 * omitted (the failure report opts back into nulls itself). Input ignores unknown keys, as the
 * existing tool does, so files from other versions load.
 */
public final class Json {
  /**
   * What our reader accepts (Jackson's StreamReadConstraints, set here explicitly so the limits
   * are ours and documented in docs/formats.md). Every writer stays far below them
   * ({@link TextBounds}), so we never write a file we would then refuse to read.
   */
  public static final int MAX_STRING_CHARS = 20_000_000;
  public static final long MAX_DOCUMENT_BYTES = 64L * 1024 * 1024;
  public static final int MAX_NAME_CHARS = 50_000;
  public static final int MAX_NESTING = 500;

  public static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(StreamReadConstraints.builder()
                      .maxStringLength(MAX_STRING_CHARS)
                      .maxDocumentLength(MAX_DOCUMENT_BYTES)
                      .maxNameLength(MAX_NAME_CHARS)
                      .maxNestingDepth(MAX_NESTING)
                      .build())
                  .build())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
          .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
          .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false)
          .configure(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION, false)
          // The existing tool refuses a key given twice and a value of the wrong JSON type;
          // last-wins keys and "true"/1 coerced to booleans or strings let a bad file (or an
          // assistant's answer) mean something other than what a reader sees.
          .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true)
          .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false)
          .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
          .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail))
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
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_DOCUMENT_BYTES) {
        throw Bq2Exception.badInput(file + ": file too large (" + size + " bytes; bq2 reads at most "
            + MAX_DOCUMENT_BYTES + "); " + fix);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw Bq2Exception.badInput(file + ": file not found; " + fix);
    } catch (IOException e) {
      throw Bq2Exception.badInput(file + ": cannot read (" + e.getMessage() + "); " + fix);
    }
    return utf8(file, bytes, fix);
  }

  /**
   * Strict UTF-8 decoding; invalid bytes are refused naming their byte offset and line (a
   * lenient decoder would turn them into U+FFFD and the file would mean something else).
   */
  public static String utf8(Path file, byte[] bytes, String fix) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = dec.decode(in, out, true);
    if (!r.isError()) r = dec.flush(out);
    if (r.isError()) {
      int offset = in.position();
      int line = 1;
      for (int i = 0; i < offset; i++) if (bytes[i] == '\n') line++;
      throw Bq2Exception.badInput(file + ":" + line + ": invalid UTF-8 at byte offset " + offset
          + String.format(" (byte 0x%02x)", bytes[offset] & 0xff) + "; " + fix);
    }
    out.flip();
    return out.toString();
  }

  public static <T> T parse(Path file, String text, Class<T> type, String fix) {
    try {
      if (text.isBlank()) {
        throw Bq2Exception.badInput(file + ":1:1: empty file; " + fix);
      }
      refuseNul(file, text, fix);
      T value = MAPPER.readValue(text, type);
      if (value == null || value instanceof JsonNode n && n.isNull()) {
        throw Bq2Exception.badInput(file + ":1:1: expected " + jsonKind(type) + ", got null; " + fix);
      }
      return value;
    } catch (JsonProcessingException e) {
      throw Bq2Exception.badInput(describe(file, e) + "; " + fix);
    }
  }

  private static final java.util.regex.Pattern ESCAPED_NUL = java.util.regex.Pattern.compile("(?<!\\\\)(?:\\\\\\\\)*\\\\u0000");

  /**
   * A NUL (`\u0000`) is valid JSON but can be no path, argument or environment value (the
   * kernel ends C strings there; Java refuses such paths with an exception): refused at read.
   */
  private static void refuseNul(Path file, String text, String fix) {
    if (!text.contains("\\u0000")) return;
    java.util.regex.Matcher m = ESCAPED_NUL.matcher(text);
    if (!m.find()) return;
    int at = m.end() - 6;
    int line = 1;
    int col = 1;
    for (int i = 0; i < at; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    throw Bq2Exception.badInput(file + ":" + line + ":" + col + ": a NUL character (\\u0000) in a string;"
        + " no path, argument or environment value can hold one; " + fix);
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
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "an integer";
    if (Number.class.isAssignableFrom(t) || t.isPrimitive()) return "a number";
    return "a " + t.getSimpleName();
  }

  private static String tokenKind(String msg) {
    if (msg.startsWith("Cannot coerce Float")) return "a decimal number";
    if (msg.startsWith("Cannot coerce Integer")) return "a number";
    if (msg.startsWith("Cannot coerce Boolean")) return "a boolean";
    if (msg.startsWith("Cannot coerce String") || msg.startsWith("Cannot coerce empty String")) return "a string";
    if (msg.contains("START_ARRAY") || msg.contains("from Array value")) return "an array";
    if (msg.contains("START_OBJECT") || msg.contains("from Object value")) return "an object";
    if (msg.contains("VALUE_STRING") || msg.contains("from String")) return "a string";
    if (msg.contains("VALUE_NUMBER") || msg.contains("from Integer value") || msg.contains("from Floating-point value")) return "a number";
    if (msg.contains("VALUE_TRUE") || msg.contains("VALUE_FALSE") || msg.contains("from Boolean value")) return "a boolean";
    if (msg.contains("VALUE_NULL")) return "null";
    return "something else";
  }

  private static String firstLineOf(String s) {
    int nl = s.indexOf('\n');
    return (nl >= 0 ? s.substring(0, nl) : s).trim();
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
      Class<?> t = ine.getTargetType();
      List<JsonMappingException.Reference> path = ine.getPath();
      JsonMappingException.Reference last = path.isEmpty() ? null : path.get(path.size() - 1);
      if (t != null && (java.util.Collection.class.isAssignableFrom(t) || java.util.Map.class.isAssignableFrom(t))
          && last != null && (last.getIndex() >= 0 || last.getFrom() instanceof java.util.Map)) {
        return "expected a value, got null (no null inside " + jsonKind(t) + ")";
      }
      return "expected " + (ine.getTargetType() == null ? "a value" : jsonKind(ine.getTargetType())) + ", got null";
    }
    if (e instanceof MismatchedInputException mie && mie.getTargetType() != null
        && (msg.startsWith("Cannot deserialize") || msg.startsWith("Cannot construct") || msg.startsWith("Cannot coerce"))) {
      return "expected " + jsonKind(mie.getTargetType()) + ", got " + tokenKind(msg);
    }
    int problem = msg.indexOf(", problem: ");
    if (msg.startsWith("Cannot construct instance of") && problem > 0) return firstLineOf(msg.substring(problem + 11));
    if (msg.startsWith("Duplicate field '") && msg.endsWith("'")) {
      return "key \"" + msg.substring(17, msg.length() - 1) + "\" given twice (each key may appear once)";
    }
    int nl = msg.indexOf('\n');
    if (nl >= 0) msg = msg.substring(0, nl);
    // Jackson's messages name Java types; keep the first clause, which names the JSON problem.
    msg = msg.replaceAll("`[a-zA-Z0-9_.$]+\\.([A-Za-z0-9_]+)`", "$1");
    return msg.trim();
  }
}
