package dev.bq2.annotate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.json.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The plan spec's canonical layout: 2-space indentation, and every element of a `steps` or
 * `extra_steps` array on a single line, so diffs of the spec are per step.
 */
final class SpecText {
  private static final Set<String> ONE_LINE_ITEMS = Set.of("steps", "extra_steps");

  private SpecText() {}

  static void block(StringBuilder sb, JsonNode node, String indent, boolean itemsOnOneLine) {
    if (node.isObject() && node.size() > 0) {
      sb.append("{\n");
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        sb.append(indent).append("  ").append(scalar(Json.MAPPER.getNodeFactory().textNode(e.getKey()))).append(": ");
        block(sb, e.getValue(), indent + "  ", ONE_LINE_ITEMS.contains(e.getKey()));
        sb.append(it.hasNext() ? ",\n" : "\n");
      }
      sb.append(indent).append('}');
    } else if (node.isArray() && node.size() > 0) {
      boolean scalars = true;
      for (JsonNode n : node) scalars &= n.isValueNode();
      if (scalars) {
        inline(sb, node);
        return;
      }
      sb.append("[\n");
      for (int i = 0; i < node.size(); i++) {
        sb.append(indent).append("  ");
        if (itemsOnOneLine) inline(sb, node.get(i));
        else block(sb, node.get(i), indent + "  ", false);
        sb.append(i + 1 < node.size() ? ",\n" : "\n");
      }
      sb.append(indent).append(']');
    } else {
      inline(sb, node);
    }
  }

  /** One line with `, ` and `: ` separators. */
  static void inline(StringBuilder sb, JsonNode node) {
    if (node.isObject()) {
      if (node.size() == 0) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        sb.append(scalar(Json.MAPPER.getNodeFactory().textNode(e.getKey()))).append(": ");
        inline(sb, e.getValue());
        if (it.hasNext()) sb.append(", ");
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) sb.append(", ");
        inline(sb, node.get(i));
      }
      sb.append(']');
    } else {
      sb.append(scalar(node));
    }
  }

  private static String scalar(JsonNode n) {
    try {
      return Json.MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
