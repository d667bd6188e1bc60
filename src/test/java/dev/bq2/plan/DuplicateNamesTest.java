package dev.bq2.plan;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 3: two steps named `hello` (the second never ran, status pointed at it forever)
 * or two phases of one name (merged) are refused at load, in the plan and in the plan with the
 * overrides applied, naming the names and their positions; nothing runs, nothing is written.
 */
class DuplicateNamesTest {
  @TempDir Path dir;

  static String step(String name) {
    return "{\"name\": \"" + name + "\", \"strategy\": \"shell\", \"workdir\": \"/tmp\", \"configure_flags\": [],"
        + " \"patches\": [], \"env\": {}, \"clean_build\": false, \"content\": \"echo " + name + "\"}";
  }

  static String phase(String name, String... steps) {
    return "{\"name\": \"" + name + "\", \"description\": \"d\", \"namespace\": \"host\", \"install_prefix\": \"/usr\","
        + " \"env\": {}, \"steps\": [" + String.join(", ", steps) + "]}";
  }

  Path rootfs(String... phases) throws Exception {
    Path root = dir.resolve("r");
    Files.createDirectories(root.resolve("var/lib"));
    Files.writeString(root.resolve("var/lib/sysroot-build-plan.json"),
        "{\"format_version\": 2, \"phases\": [" + String.join(", ", phases) + "]}");
    return root;
  }

  static String refused(Path root, String... cmd) throws Exception {
    String[] args = new String[cmd.length + 2];
    System.arraycopy(cmd, 0, args, 0, cmd.length);
    args[cmd.length] = "--rootfs";
    args[cmd.length + 1] = root.toString();
    InProcessCli.Result r = InProcessCli.run(args);
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    try (var s = Files.list(root.resolve("var/lib"))) {
      assertTrue(s.allMatch(p -> p.getFileName().toString().startsWith("sysroot-build-plan")
          || p.getFileName().toString().equals("sysroot-build-overrides.json")), "nothing written");
    }
    return r.err().strip();
  }

  @Test
  void duplicateStepNamesInAPhaseAreRefused() throws Exception {
    Path root = rootfs(phase("p1", step("hello"), step("other"), step("hello")));
    for (String[] cmd : new String[][] {{"sysroot-status"}, {"sysroot-runner"}, {"sysroot-runner", "--dry-run"}}) {
      String err = refused(root, cmd);
      assertTrue(err.contains("step name \"hello\" used 2 times in phase p1 (phases[0].steps[0], phases[0].steps[2])"), err);
    }
  }

  @Test
  void duplicatePhaseNamesAreRefused() throws Exception {
    Path root = rootfs(phase("p1", step("a")), phase("p2", step("b")), phase("p1", step("c")));
    String err = refused(root, "sysroot-status");
    assertTrue(err.contains("phase name \"p1\" used 2 times (phases[0], phases[2])"), err);
    assertTrue(refused(root, "sysroot-runner").contains("phase name \"p1\""));
  }

  @Test
  void duplicatesMadeByTheOverridesAreRefusedToo() throws Exception {
    Path root = rootfs(phase("p1", step("a")));
    Path overrides = root.resolve("var/lib/sysroot-build-overrides.json");
    Files.writeString(overrides, "{\"phases\": {\"p1\": {\"extra_steps\": [" + step("x") + ", " + step("x") + "]}}}");
    String err = refused(root, "sysroot-status");
    assertTrue(err.contains("plan after applying " + overrides)
        && err.contains("step name \"x\" used 2 times in phase p1 (phases[0].steps[1], phases[0].steps[2])"), err);
    assertTrue(refused(root, "sysroot-runner").contains("step name \"x\""));
  }
}
