package dev.bq2.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Semantic JSON comparison: key order does not matter, array order does. Returns one line per
 * differing path (`phases[1 userland].steps[0 cxxutil].env.CXXFLAGS: expected "…", got "…"`);
 * array elements that have a `name` are labelled with it, so the lines point at phases and
 * steps a person recognises.
 */
public final class JsonDiff {
  private JsonDiff() {}

  /** Differences between two values serialised the one way (records → the shared mapper). */
  public static List<String> of(Object expected, Object actual) {
    return diff(Json.MAPPER.valueToTree(expected), Json.MAPPER.valueToTree(actual));
  }

  public static List<String> diff(JsonNode expected, JsonNode actual) {
    List<String> out = new ArrayList<>();
    walk("", expected, actual, out);
    return out;
  }

  private static void walk(String path, JsonNode e, JsonNode a, List<String> out) {
    if (e == null || e.isMissingNode()) {
      out.add(label(path) + ": unexpected " + show(a));
      return;
    }
    if (a == null || a.isMissingNode()) {
      out.add(label(path) + ": missing, expected " + show(e));
      return;
    }
    if (e.isObject() && a.isObject()) {
      Set<String> keys = new LinkedHashSet<>();
      e.fieldNames().forEachRemaining(keys::add);
      a.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) walk(path.isEmpty() ? k : path + "." + k, e.get(k), a.get(k), out);
      return;
    }
    if (e.isArray() && a.isArray() && namedItems(e) && namedItems(a) && !e.equals(a)) {
      int n = Math.max(e.size(), a.size());
      for (int i = 0; i < n; i++) {
        JsonNode ei = i < e.size() ? e.get(i) : null;
        JsonNode ai = i < a.size() ? a.get(i) : null;
        String name = (ei != null ? ei : ai).get("name").asText();
        if (ei != null && ai != null && !ei.get("name").equals(ai.get("name"))) {
          out.add(path + "[" + i + "]: expected " + ei.get("name") + ", got " + ai.get("name"));
          continue;
        }
        walk(path + "[" + i + " " + name + "]", ei, ai, out);
      }
      return;
    }
    if (!e.equals(a)) out.add(label(path) + ": expected " + show(e) + ", got " + show(a));
  }

  private static boolean namedItems(JsonNode arr) {
    Iterator<JsonNode> it = arr.elements();
    while (it.hasNext()) {
      JsonNode n = it.next();
      if (!n.isObject() || !n.has("name")) return false;
    }
    return true;
  }

  private static String label(String path) {
    return path.isEmpty() ? "(top level)" : path;
  }

  private static String show(JsonNode n) {
    String s = n.toString();
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
