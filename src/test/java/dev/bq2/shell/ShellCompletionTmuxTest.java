package dev.bq2.shell;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import dev.bq2.assistant.Assistants;
import dev.bq2.cli.IterateCommand;
import dev.bq2.demo.DemoWriter;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.RootfsLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 10 item 13 "must show": TAB in the real `bq2` shell on a real terminal (tmux) completes
 * options, their values (assistants; the demo plan's phases and steps, read at TAB time) and
 * two-word commands. What is expected is read from the picocli model and the plan, not listed here.
 */
class ShellCompletionTmuxTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String PROMPT = "bq2> ";

  @TempDir Path dir;

  @Test
  @Timeout(180)
  void tabCompletesOptionsTheirValuesAndCommands() throws Exception {
    DemoWriter.Demo demo = DemoWriter.write(dir.resolve("demo"));
    BuildPlan plan = PlanFiles.readPlan(RootfsLayout.of(demo.rootfs()).plan());
    List<String> cmd = List.of(ChildJvm.java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dbq2.history=" + dir.resolve("history"), "-cp", System.getProperty("java.class.path"), "dev.bq2.cli.Bq2",
        "shell", "--rootfs", demo.rootfs().toString(), "--repo", demo.repo().toString());
    try (TmuxSession tmux = TmuxSession.start(160, 40, cmd, Map.of("HOME", dir.toString()))) {
      tmux.awaitText(PROMPT, WAIT);

      // An option prefix: the common part is filled in and every option it may start is listed.
      List<String> assistantOptions = new ArrayList<>();
      for (OptionSpec o : new CommandLine(new IterateCommand()).getCommandSpec().options()) {
        for (String n : o.names()) if (n.startsWith("--assi")) assistantOptions.add(n);
      }
      assertTrue(assistantOptions.size() > 1, assistantOptions.toString());
      tmux.type("iterate --assi");
      tmux.sendKeys("Tab");
      tmux.await("the --assistant options listed", WAIT,
          pane -> pane.contains(PROMPT + "iterate --assistant") && assistantOptions.stream().allMatch(o -> listed(pane, o)));

      // An option's values.
      List<String> assistants = new ArrayList<>(List.of("auto", "rules"));
      assistants.addAll(Assistants.NAMES);
      tmux.type(" ");
      tmux.sendKeys("Tab");
      tmux.await("the assistants listed", WAIT, pane -> assistants.stream().allMatch(a -> listed(pane, a)));
      tmux.type("cod");
      tmux.sendKeys("Tab");
      tmux.awaitText(PROMPT + "iterate --assistant codex", WAIT);

      // The plan's phases and steps, read from the rootfs the shell works on.
      tmux.sendKeys("C-u");
      tmux.type("runner --phase ");
      tmux.sendKeys("Tab");
      tmux.await("the plan's phases listed", WAIT, pane -> plan.phaseNames().stream().allMatch(p -> listed(pane, p)));
      TreeSet<String> steps = new TreeSet<>();
      for (BuildPhase phase : plan.phases()) for (BuildStep s : phase.steps()) steps.add(s.name());
      tmux.sendKeys("C-u");
      tmux.type("runner --package ");
      tmux.sendKeys("Tab");
      tmux.await("the plan's steps listed", WAIT, pane -> steps.stream().allMatch(s -> listed(pane, s)));
      String step = steps.stream().filter(s -> steps.stream().filter(x -> x.startsWith(s.substring(0, 3))).count() == 1)
          .findFirst().orElseThrow(() -> new AssertionError("no step with a prefix of its own: " + steps));
      tmux.type(step.substring(0, 3));
      tmux.sendKeys("Tab");
      tmux.awaitText(PROMPT + "runner --package " + step, WAIT);

      // A two-word command.
      tmux.sendKeys("C-u");
      tmux.type("resume it");
      tmux.sendKeys("Tab");
      tmux.awaitText(PROMPT + "resume iteration", WAIT);

      // `help` lists every word the shell takes, `quit` too.
      tmux.sendKeys("C-u");
      tmux.type("help");
      tmux.sendKeys("Enter");
      String pane = tmux.awaitText("exit, quit", WAIT);
      for (String word : Bq2Shell.COMMANDS.keySet()) assertTrue(pane.contains("\n  " + word + " "), word + " in help:\n" + pane);

      tmux.sendKeys("C-d");
      assertEquals(0, tmux.awaitExit(WAIT), tmux.lastCapture());
      assertFalse(Files.readString(dir.resolve("history")).contains("--assistant"), "nothing completed was run");
    }
  }

  /** {@code word} shown as a candidate: a whole word of a line below a prompt (JLine lists them in columns). */
  private static boolean listed(String pane, String word) {
    int prompt = pane.lastIndexOf(PROMPT);
    if (prompt < 0) return false;
    int end = pane.indexOf('\n', prompt);
    if (end < 0) return false;
    String after = pane.substring(end + 1);
    for (String line : after.split("\n")) {
      for (String w : line.trim().split("\\s+")) if (w.equals(word)) return true;
    }
    return false;
  }
}
