package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 15: the config file is checked before anything runs (real child JVMs). Unknown
 * keys, keys set twice, lines that are not KEY=VALUE, values the option would refuse and a
 * `$BQ2_CONFIG` naming no file are one line naming the file and line, exit 2; a good file's
 * defaults apply (plain and command-qualified keys), from `$BQ2_CONFIG`, `$XDG_CONFIG_HOME` or `$HOME`.
 */
class ConfigFileTest {
  @TempDir Path dir;

  Bq2Child.Result status(Map<String, String> env) throws Exception {
    Path rootfs = dir.resolve("rootfs");
    if (!Files.exists(rootfs)) Bq2Child.rootfs(rootfs, "true");
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    Map<String, String> e = new LinkedHashMap<>(Map.of("HOME", dir.resolve("home").toString()));
    e.put("XDG_CONFIG_HOME", null);
    e.putAll(env);
    return Bq2Child.run(cwd, e, "sysroot-status", "--rootfs", rootfs.toString());
  }

  Bq2Child.Result withConfig(String text) throws Exception {
    Path file = Files.writeString(dir.resolve("bq2.properties"), text);
    return status(Map.of("BQ2_CONFIG", file.toString()));
  }

  void assertOneLineError(Bq2Child.Result r, String expected) {
    assertEquals(2, r.exit(), r.toString());
    assertEquals("", r.out(), r.toString());
    assertEquals("bq2: " + expected + "\n", r.err());
  }

  @Test
  @Timeout(300)
  void everyMistakeNamesTheFileAndLine() throws Exception {
    Path f = dir.resolve("bq2.properties");
    assertOneLineError(withConfig("# my defaults\nassistant=codex\nasistant=claude\n"),
        f + ":3: unknown key 'asistant' (did you mean 'assistant'?); keys are long option names without dashes, e.g. max-iterations=40");
    assertOneLineError(withConfig("max-iterations=40\nuntil=25:99\n"),
        f + ":2: until=25:99: '25:99' is not a time of day; use HH:MM, e.g. 06:30");
    assertOneLineError(withConfig("\n\nmax-iterations=many\n"), f + ":3: max-iterations=many: 'many' is not an int");
    assertOneLineError(withConfig("json=maybe\n"), f + ":1: json=maybe: 'maybe' is not a boolean");
    assertOneLineError(withConfig("bq2.iterate.stall-timeout=5x\n"),
        f + ":1: bq2.iterate.stall-timeout=5x: '5x' is not a duration; use e.g. 45m or 2h (0 = never)");
    assertOneLineError(withConfig("assistant=gpt\n"),
        f + ":1: assistant=gpt: 'gpt' is not one of rules, codex, claude, command, auto");
    assertOneLineError(withConfig("jobs=2\njobs=4\n"), f + ":2: 'jobs' is set again (first on line 1); keep one of them");
    assertOneLineError(withConfig("assistant codex\n"), f + ":1: 'assistant codex' is not KEY=VALUE; write e.g. assistant=codex");
    assertOneLineError(withConfig("help=true\n"),
        f + ":1: unknown key 'help'; keys are long option names without dashes, e.g. max-iterations=40");
    Path missing = dir.resolve("nowhere/bq2.properties");
    assertOneLineError(status(Map.of("BQ2_CONFIG", missing.toString())),
        "$BQ2_CONFIG names " + missing + ", which does not exist; create it or unset BQ2_CONFIG");
  }

  @Test
  @Timeout(300)
  void aGoodFileSetsDefaultsFromWhereverItIs() throws Exception {
    Bq2Child.Result plain = status(Map.of());
    assertEquals(0, plain.exit(), plain.toString());
    assertTrue(plain.out().startsWith("plan_path="), "no file: built-in defaults: " + plain);

    Bq2Child.Result json = withConfig("# print JSON\njson = true\nassistant=rules\nuntil=06:30\n");
    assertEquals(0, json.exit(), json.toString());
    assertTrue(json.out().startsWith("{\"plan_path\":"), json.toString());

    assertTrue(withConfig("bq2.sysroot-status.json=true\n").out().startsWith("{"), "a key for one command");
    assertTrue(withConfig("bq2.iterate.quiet=true\n").out().startsWith("plan_path="), "a key for another command");

    Path xdg = dir.resolve("xdg");
    Files.createDirectories(xdg.resolve("bq2"));
    Files.writeString(xdg.resolve("bq2/bq2.properties"), "json=true\n");
    assertTrue(status(Map.of("XDG_CONFIG_HOME", xdg.toString())).out().startsWith("{"), "$XDG_CONFIG_HOME/bq2/bq2.properties");

    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve(".config/bq2"));
    Files.writeString(home.resolve(".config/bq2/bq2.properties"), "json=true\n");
    Bq2Child.Result fromHome = status(Map.of());
    assertTrue(fromHome.out().startsWith("{"), "~/.config/bq2/bq2.properties: " + fromHome);
    Files.writeString(home.resolve(".config/bq2/bq2.properties"), "jsn=true\n");
    assertOneLineError(status(Map.of()), home.resolve(".config/bq2/bq2.properties")
        + ":1: unknown key 'jsn' (did you mean 'json'?); keys are long option names without dashes, e.g. max-iterations=40");
  }
}
