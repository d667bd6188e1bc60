package dev.bq2.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.Bq2Exception;
import dev.bq2.json.AtomicFile;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the plan and the overrides file with the existing tool's checks and clear errors. */
public final class PlanFiles {
  private PlanFiles() {}

  public static BuildPlan readPlan(Path file) {
    if (!Files.exists(file)) {
      throw Bq2Exception.badInput(file + ": build plan not found; pass --plan FILE or --rootfs DIR "
          + "(the plan lives at <rootfs>/var/lib/sysroot-build-plan.json), or generate it with the builder");
    }
    String text = Json.readText(file, "fix the plan file");
    return parsePlan(file, text);
  }

  public static BuildPlan parsePlan(Path file, String text) {
    if (text.stripLeading().startsWith("[")) {
      throw Bq2Exception.badInput(file + ":1:1: Legacy build plan format is not supported; "
          + "regenerate the plan with sysroot-builder (format_version 2)");
    }
    String fix = "fix the plan JSON (format_version 2, see docs/formats.md)";
    JsonNode tree = Json.tree(file, text, fix);
    if (!tree.isObject()) {
      throw Bq2Exception.badInput(file + ":1:1: expected a JSON object with format_version and phases; " + fix);
    }
    JsonNode version = tree.get("format_version");
    if (version != null && !version.isNull() && !version.isInt()) {
      Json.parse(file, text, BuildPlan.class, fix); // names line:column and the JSON type found
    }
    if (version == null || !version.isInt()) {
      throw Bq2Exception.badInput(file + ": field format_version: missing or not an integer; " + fix);
    }
    if (version.intValue() != BuildPlan.FORMAT_VERSION) {
      throw Bq2Exception.badInput(file + ": field format_version: Unsupported build plan format version "
          + version.intValue() + " (expected 2); regenerate the plan with the builder");
    }
    return PlanChecks.check(Json.parse(file, text, BuildPlan.class, fix), file.toString());
  }

  /** A missing overrides file means no overrides, as in the existing tool. */
  public static Overrides readOverrides(Path file) {
    if (file == null || !Files.exists(file)) return Overrides.empty();
    String text = Json.readText(file, "fix the overrides file");
    if (text.isBlank()) return Overrides.empty();
    return Json.parse(file, text, Overrides.class,
        "fix the overrides JSON ({\"phases\": {...}}, see docs/formats.md)");
  }

  /** Writes {@code overrides} whole, in our compact form (no empty or null fields). */
  public static void writeOverrides(Path file, Overrides overrides) {
    AtomicFile.writeJson(file, overrides);
  }

  /**
   * Changes the overrides file to mean {@code overrides}, keeping the user's own text for every
   * part that did not change (see {@link OverridesEdit}); a missing or blank file is written whole.
   */
  public static void editOverrides(Path file, Overrides overrides) {
    if (file == null || !Files.exists(file)) {
      writeOverrides(file, overrides);
      return;
    }
    String text = Json.readText(file, "fix the overrides file");
    if (text.isBlank()) {
      writeOverrides(file, overrides);
      return;
    }
    Overrides before = readOverrides(file);
    JsonNode written = Json.tree(file, text, "fix the overrides JSON");
    if (!written.isObject()) {
      writeOverrides(file, overrides);
      return;
    }
    String edited = Json.pretty(OverridesEdit.apply(written, before, overrides));
    // A file written without a final newline stays so: only the edit shows in a diff.
    if (!text.endsWith("\n")) edited = edited.stripTrailing();
    AtomicFile.write(file, edited);
  }
}
