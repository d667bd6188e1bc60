package dev.bq2.plan;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The mutable overrides file (docs/formats.md#upstream-formats): the user's fixes, to be back-annotated later. */
public record Overrides(@JsonSetter(contentNulls = Nulls.FAIL) Map<String, PhaseOverride> phases) {
  public Overrides {
    phases = phases == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(phases));
  }

  public static Overrides empty() {
    return new Overrides(Map.of());
  }

  public boolean isEmpty() {
    return phases.isEmpty();
  }
}
