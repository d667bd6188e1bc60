package dev.bq2.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.propose.HistoryEntry;
import dev.bq2.propose.OverridesEditor;
import dev.bq2.propose.Proposal;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 18: the overrides file we write holds only what someone asked for. A user's
 * file (the existing tool's every-field fixture, with its explicit nulls and `[]`s) comes back
 * unchanged except for the edit, and a revert gives back the very same bytes.
 */
class OverridesRoundTripTest {
  @TempDir Path dir;

  static String fixture() throws Exception {
    try (InputStream in = OverridesRoundTripTest.class.getResourceAsStream("/upstream/overrides-all-fields.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aUsersFileChangesOnlyWhereTheEditIsAndARevertRestoresItsBytes() throws Exception {
    String original = fixture();
    Path ov = dir.resolve("sysroot-build-overrides.json");
    Path hist = dir.resolve("sysroot-build-overrides.history.jsonl");
    Files.writeString(ov, original);
    OverridesEditor ed = new OverridesEditor(ov, hist);

    HistoryEntry flag = ed.apply(new Proposal("sysroot-from-seed", "m4", List.of("--disable-werror"), Map.of(), List.of(),
        null, null, "test", false), null, "rules");
    String expected = original.replace("\"--enable-c++\"\n          ],",
        "\"--enable-c++\",\n            \"--disable-werror\"\n          ],");
    assertNotEquals(original, expected, "the fixture has the text the edit changes");
    assertEquals(expected, Files.readString(ov), "only the edited list changed");

    ed.revert(flag.id());
    assertEquals(original, Files.readString(ov), "the revert gives back the user's bytes");

    // A step whose user wrote explicit nulls and empty lists: they stay, the new env is compact.
    ed.apply(new Proposal("sysroot-from-seed", "cmake", List.of(), Map.of("CFLAGS", "-O1"), List.of(),
        null, null, "test", false), null, "rules");
    String text = Files.readString(ov);
    String edited = "\"env\": {\n            \"CFLAGS\": \"-O1\"\n          },";
    assertTrue(text.contains("\"cmake\": {\n          \"configure_flags_add\": [],\n          \"patches_add\": [],\n"
        + "          \"clean_build\": null,\n          " + edited + "\n          \"workdir\": null\n        }"), text);
    int at = text.lastIndexOf(edited); // the cmake step's (the extra step has the same env)
    assertEquals(original, text.substring(0, at) + "\"env\": null," + text.substring(at + edited.length()),
        "nothing else changed");
  }

  @Test
  void whatWeWriteForANewStepHasNoEmptyFields() throws Exception {
    Path ov = dir.resolve("sysroot-build-overrides.json");
    OverridesEditor ed = new OverridesEditor(ov, dir.resolve("h.jsonl"));
    ed.apply(new Proposal("core", "zlib", List.of(), Map.of("CFLAGS", "-O2 -fcommon"), List.of(), null, true, "t", false),
        null, "rules");
    ed.apply(new Proposal("core", "m4", List.of("--disable-nls"), Map.of(), List.of(), null, null, "t", false), null, "rules");
    assertEquals("""
        {
          "phases": {
            "core": {
              "steps": {
                "zlib": {
                  "env": {
                    "CFLAGS": "-O2 -fcommon"
                  },
                  "clean_build": true
                },
                "m4": {
                  "configure_flags_add": [
                    "--disable-nls"
                  ]
                }
              }
            }
          }
        }
        """, Files.readString(ov));
  }
}
