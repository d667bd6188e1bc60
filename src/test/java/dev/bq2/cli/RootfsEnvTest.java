package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.report.ReportFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 10 item 2: `BQ2_ROOTFS` is honoured by every command that takes `--rootfs` (real child
 * JVMs, no `--rootfs` on any command line, nothing to detect under `--fs-root` or the current
 * directory). Each command of the tree that has a `--rootfs` option is run twice: once with
 * BQ2_ROOTFS naming a folder without a plan (it must fail naming that folder), and once on a
 * real rootfs, where it must show it worked there (a command without a case here gets the first) (codex-namespace, plan-write and propose do
 * not need a plan there, so they have only the second).
 */
class RootfsEnvTest {
  @TempDir Path dir;

  /** How to run one command: its arguments (after the name), stdin, and what shows it used the rootfs. */
  record Case(List<String> args, String stdin, int exit, List<String> shows) {}

  @Test
  @Timeout(600)
  void everyCommandTakingRootfsHonoursBq2Rootfs() throws Exception {
    // The step fails until R/go exists: reports, logs and a failed iterate to look at.
    Path rootfs = Bq2Child.rootfs(dir.resolve("rootfs"), "test -f go || { echo needs go; exit 1; }");
    Path fsRoot = Files.createDirectories(dir.resolve("empty-fs-root"));
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    Path lib = rootfs.resolve("var/lib");
    String fs = fsRoot.toString();
    Map<String, String> env = Map.of("BQ2_ROOTFS", rootfs.toString());

    // In order: the runner's failure feeds reports, propose and the rest.
    Map<String, Case> cases = new LinkedHashMap<>();
    cases.put("sysroot-status", new Case(List.of(), null, 0,
        List.of("plan_path=" + lib.resolve("sysroot-build-plan.json"), "next_step=touch")));
    cases.put("sysroot-runner", new Case(List.of(), null, 1, List.of("needs go")));
    cases.put("reports", new Case(List.of("--fs-root", fs), null, 0, List.of(lib.resolve("sysroot-build-reports").toString())));
    cases.put("propose", new Case(List.of("--report", "REPORT", "--assistant", "rules", "--json"), null, 3,
        List.of("\"overrides\": \"" + lib.resolve("sysroot-build-overrides.json") + "\"")));
    cases.put("iterate", new Case(List.of("--fs-root", fs, "--assistant", "rules", "--max-iterations", "1"), null, 3,
        List.of("iterate: rootfs " + rootfs + " (BQ2_ROOTFS)")));
    cases.put("log", new Case(List.of("--fs-root", fs), null, 0, List.of("==> " + lib.resolve("sysroot-build-logs/sysroot-runner-"))));
    cases.put("overrides show", new Case(List.of("--fs-root", fs), null, 0,
        List.of("overrides: " + lib.resolve("sysroot-build-overrides.json"))));
    cases.put("overrides history", new Case(List.of("--fs-root", fs), null, 0,
        List.of("history: " + lib.resolve("sysroot-build-overrides.history.jsonl"))));
    cases.put("overrides revert", new Case(List.of("--fs-root", fs, "1"), null, 2,
        List.of(lib.resolve("sysroot-build-overrides.history.jsonl") + ": no applied delta 1")));
    cases.put("stop", new Case(List.of("--fs-root", fs), null, 0, List.of("stop: nothing is running for " + rootfs)));
    cases.put("back-annotate", new Case(List.of("--fs-root", fs), null, 0, List.of("back-annotate: rootfs " + rootfs + " (BQ2_ROOTFS)",
        "no overrides in force in " + lib.resolve("sysroot-build-overrides.json"))));
    cases.put("shell", new Case(List.of("--fs-root", fs), "status\nexit\n", 0,
        List.of("plan_path=" + lib.resolve("sysroot-build-plan.json"), "next_step=touch")));
    cases.put("codex-namespace", new Case(List.of("--print"), null, 0, List.of("R='\\''" + rootfs + "'\\''")));
    cases.put("plan-write", new Case(List.of("--plan-spec", "SPEC"), null, 0,
        List.of("plan-write: wrote " + lib.resolve("sysroot-build-plan.json"))));

    List<String> taking = commandsTakingRootfs();
    assertTrue(taking.containsAll(cases.keySet()), "every case here is a command with --rootfs: " + taking);
    // A command added later without a case here still gets the first check (with no arguments).
    List<String> noCase = taking.stream().filter(c -> !cases.containsKey(c)).toList();
    for (String c : noCase) cases.put(c, new Case(List.of(), null, -1, List.of()));

    List<String> wrong = new ArrayList<>();
    // 1. A BQ2_ROOTFS without a plan: the command fails and names it.
    Path missing = dir.resolve("no-rootfs-here");
    for (var c : cases.entrySet()) {
      List<String> argv = argv(c.getKey(), c.getValue().args(), dir.resolve("missing-report.json"), dir.resolve("missing-spec.json"));
      // codex-namespace and plan-write may be the first to use a new rootfs; propose needs no plan there
      if (Set.of("codex-namespace", "plan-write", "propose").contains(c.getKey())) continue;
      Bq2Child.Result r = Bq2Child.runWithInput(cwd, Map.of("BQ2_ROOTFS", missing.toString()), c.getValue().stdin(), argv.toArray(String[]::new));
      if ((c.getKey().equals("shell") ? false : r.exit() == 0) || !(r.out() + r.err()).contains(missing.toString())) {
        wrong.add("BQ2_ROOTFS=" + missing + " bq2 " + String.join(" ", argv) + ": " + r);
      }
    }
    // 2. A real rootfs: the command works on it.
    Path spec = Files.writeString(dir.resolve("plan-spec.json"), """
        {"spec_version": 1, "vars": {}, "plan": {"format_version": 2, "phases": [
          {"name": "only", "description": "One shell step", "namespace": "host", "install_prefix": "/", "env": {},
           "steps": [{"name": "touch", "strategy": "shell", "workdir": "%s", "configure_flags": [], "patches": [],
                      "env": {}, "clean_build": false, "content": "test -f go || { echo needs go; exit 1; }"}]}]}}
        """.formatted(rootfs));
    for (var c : cases.entrySet()) {
      if (noCase.contains(c.getKey())) continue;
      Path report = ReportFiles.newest(lib.resolve("sysroot-build-reports")).orElse(dir.resolve("no-report-yet.json"));
      List<String> argv = argv(c.getKey(), c.getValue().args(), report, spec);
      Bq2Child.Result r = Bq2Child.runWithInput(cwd, env, c.getValue().stdin(), argv.toArray(String[]::new));
      String all = r.out() + r.err();
      if (r.exit() != c.getValue().exit() || !c.getValue().shows().stream().allMatch(all::contains)) {
        wrong.add("BQ2_ROOTFS=" + rootfs + " bq2 " + String.join(" ", argv) + " (expected exit " + c.getValue().exit()
            + " showing " + c.getValue().shows() + "): " + r);
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(Files.isDirectory(lib.resolve("sysroot-build-logs")), "the runner's logs are under the rootfs");
    assertFalse(Files.exists(cwd.resolve("var")), "nothing under the current directory");
  }

  private static List<String> argv(String command, List<String> args, Path report, Path spec) {
    List<String> argv = new ArrayList<>(List.of(command.split(" ")));
    for (String a : args) argv.add(a.equals("REPORT") ? report.toString() : a.equals("SPEC") ? spec.toString() : a);
    return argv;
  }

  /** Every (sub)command of `bq2` that has a --rootfs option, by its name under `bq2`. */
  static List<String> commandsTakingRootfs() {
    List<String> out = new ArrayList<>();
    collect(Bq2.commandLine(), out);
    return out;
  }

  private static void collect(CommandLine cl, List<String> out) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      String name = sub.getCommandSpec().qualifiedName(" ").replaceFirst("^bq2 ", "");
      if (sub.getCommandSpec().findOption("--rootfs") != null && !out.contains(name)) out.add(name);
      collect(sub, out);
    }
  }
}
