package dev.bq2.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bq2.json.Json;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a changed overrides file as the smallest edit of the file the user wrote: every part
 * whose meaning did not change keeps the user's own text (key order, explicit nulls, `[]`s),
 * and only what changed is written, in our compact form (no empty or null fields). So a
 * hand-written file round-trips unchanged except for the edit, and a diff shows just that.
 */
final class OverridesEdit {
  private OverridesEdit() {}

  /**
   * @param written the file as the user wrote it (a JSON tree)
   * @param before what it means (read back as records, then serialised in our canonical form)
   * @param after what the file must mean now
   */
  static JsonNode apply(JsonNode written, Overrides before, Overrides after) {
    return reconcile(written, Json.MAPPER.valueToTree(before), Json.MAPPER.valueToTree(after));
  }

  /**
   * {@code user}'s text where its canonical meaning {@code was} equals {@code now}; inside
   * objects key by key (the user's keys first, in their order; keys that mean nothing, such as
   * an explicit null, stay); otherwise {@code now}.
   */
  private static JsonNode reconcile(JsonNode user, JsonNode was, JsonNode now) {
    if (was != null && was.equals(now)) return user;
    if (user == null || !user.isObject() || !now.isObject()) return now;
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode wasValue = was == null ? null : was.get(key);
      if (now.has(key)) {
        out.set(key, reconcile(e.getValue(), wasValue, now.get(key)));
      } else if (wasValue == null) {
        out.set(key, e.getValue()); // meant nothing before (null, a default), means nothing now
      }
      // else: the edit removed it
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!out.has(e.getKey())) out.set(e.getKey(), e.getValue());
    }
    return out;
  }
}
