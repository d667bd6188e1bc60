package dev.bq2.propose;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.ChildJvm;
import dev.bq2.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop, `bq2 iterate --assistant rules` as a child process, on a hand-written
 * Makefile that assigns CFLAGS itself and runs a missing doc tool through a variable: three
 * failures in a row (-Werror, -fno-common, the tool), each fixed by a command-line variable in
 * MAKEFLAGS that joins the earlier ones, and the plan completes.
 */
class MakefileFlagsIterateTest {
  @TempDir Path dir;

  @Test
  @Timeout(240)
  void iteratesToCompleteThroughThreeMakeflagsDeltas() throws Exception {
    String tool = List.of("makeinfo", "help2man", "ronn", "asciidoctor", "txt2man", "xmlto").stream()
        .filter(t -> !RunnerRig.onPath(t)).findFirst().orElseThrow();
    RunnerRig rig = new RunnerRig(dir).plan("makefile-classic", null, Map.of("CFLAGS", "-O1"), Map.of());
    rig.write("Makefile.bq2", "CFLAGS = -O2 -Wall -Werror\nDOCTOOL = " + tool + "\n"
        + "all: prog prog.1\nprog: main.c bump.c counter.h\n\t$(CC) $(CFLAGS) -o prog main.c bump.c\n"
        + "prog.1: prog\n\t$(DOCTOOL) ./prog > prog.1\n"
        + "install: all\n\tmkdir -p $(DESTDIR)/usr/bin && cp prog $(DESTDIR)/usr/bin/\n");
    rig.write("counter.h", MakefileFlagRulesTest.COUNTER_H).write("bump.c", MakefileFlagRulesTest.BUMP_C)
        .write("main.c", "#include <stdio.h>\n#include \"counter.h\"\n"
            + "int main(void) { int unused; bump(); printf(\"counter %d\\n\", counter); return counter - 1; }\n");
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs"));

    ChildJvm c = ChildJvm.run(dir, dir.resolve("iterate"), Duration.ofSeconds(220), "iterate",
        "--rootfs", rig.rootfs.toString(), "--fs-root", fsRoot.toString(), "--assistant", "rules",
        "--max-attempts-per-step", "5", "--jobs", "2", "--session-dir", dir.resolve("sessions").toString());

    assertEquals(0, c.exit(), c.toString());
    JsonNode ov = Json.tree(rig.layout.overrides(), Files.readString(rig.layout.overrides()), "test");
    JsonNode env = ov.get("phases").get("p").get("steps").get("pkg").get("env");
    assertEquals("CFLAGS=-O2\\ -Wall\\ -Werror\\ -Wno-error\\ -fcommon DOCTOOL=true", env.get("MAKEFLAGS").asText(), ov.toPrettyString());
    assertFalse(env.has("CFLAGS"), "the env CFLAGS the Makefile ignores is never touched: " + ov.toPrettyString());
    assertEquals("counter 1", rig.runInstalled("usr/bin/prog"));
  }
}
