package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.assistant.Assistants;
import dev.bq2.demo.DemoWriter;
import dev.bq2.plan.BuildPhase;
import dev.bq2.plan.BuildPlan;
import dev.bq2.plan.BuildStep;
import dev.bq2.plan.PlanFiles;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.shell.Bq2Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The shell's completer (picocli's JLine integration over the shell's words) on real lines as
 * JLine parses them: candidates are filtered by the typed prefix as JLine filters them, and
 * compared with the picocli model and the plan on disk, not with lists written here.
 */
class ShellCompletionTest {
  @TempDir Path tmp;

  /** `bq2 --help` lists the shell's words: every one it has, so none is undocumented. */
  @Test
  void theShellsSummaryNamesEveryWord() {
    String summary = String.join(" ", new CommandLine(new ShellCommand()).getCommandSpec().usageMessage().description());
    for (String word : Bq2Shell.COMMANDS.keySet()) assertTrue(summary.contains(" " + word + ","), word + ": " + summary);
    assertTrue(summary.contains(" help,") && summary.contains(" exit."), summary);
  }

  @Test
  void optionsAndTheirValuesComeFromTheCommandsAndThePlan() {
    DemoWriter.Demo demo = DemoWriter.write(tmp.resolve("demo"));
    Path plan = RootfsLayout.of(demo.rootfs()).plan();
    Completer completer = ShellCommand.completer(() -> plan);

    Set<String> words = new TreeSet<>(Bq2Shell.BUILTINS);
    Bq2Shell.COMMANDS.keySet().forEach(w -> words.add(w.split(" ")[0]));
    assertEquals(words, complete(completer, ""), "the first word: every shell word");
    assertEquals(Set.of("iteration"), complete(completer, "resume "));
    assertEquals(Set.of("iterate"), complete(completer, "ite"));

    Set<String> assistantOptions = new TreeSet<>();
    for (OptionSpec o : new CommandLine(new IterateCommand()).getCommandSpec().options()) {
      for (String n : o.names()) if (n.startsWith("--assi")) assistantOptions.add(n);
    }
    assertTrue(assistantOptions.size() >= 5, assistantOptions.toString());
    assertEquals(assistantOptions, complete(completer, "iterate --assi"));
    assertEquals(assistantOptions, complete(completer, "resume iteration --assi"), "the same command under two words");

    Set<String> assistants = new TreeSet<>(Assistants.NAMES);
    assistants.addAll(List.of("auto", "rules"));
    assertEquals(assistants, complete(completer, "iterate --assistant "));
    assistants.removeIf(n -> !n.startsWith("c"));
    assertEquals(assistants, complete(completer, "iterate --assistant c"), "the typed prefix narrows them");
    assertTrue(complete(completer, "iterate --assistant-sandbox ").contains("workspace-write"));

    BuildPlan p = PlanFiles.readPlan(plan);
    Set<String> steps = new LinkedHashSet<>();
    for (BuildPhase phase : p.phases()) for (BuildStep s : phase.steps()) steps.add(s.name());
    assertTrue(p.phases().size() >= 2 && steps.size() >= 2, "the demo plan has phases and steps to offer");
    assertEquals(new TreeSet<>(p.phaseNames()), complete(completer, "runner --phase "));
    assertEquals(new TreeSet<>(steps), complete(completer, "runner --dry-run --package "));
    assertTrue(complete(completer, "runner --").containsAll(List.of("--phase", "--package", "--dry-run")));
    assertTrue(complete(completer, "overrides --").contains("--json"), "`overrides` is `overrides show`");
  }

  @Test
  void planValuesFollowThePlanAndNeverFail() throws Exception {
    Path plan = tmp.resolve("rootfs/var/lib/sysroot-build-plan.json");
    Completer completer = ShellCommand.completer(() -> plan);
    assertEquals(Set.of(), complete(completer, "runner --phase "), "no plan yet: no candidates, no error");

    Files.createDirectories(plan.getParent());
    Files.writeString(plan, "{\"format_version\": 2, \"phases\": [");
    assertEquals(Set.of(), complete(completer, "runner --phase "), "a broken plan: no candidates, no error");

    DemoWriter.Demo demo = DemoWriter.write(tmp.resolve("demo"));
    Files.copy(RootfsLayout.of(demo.rootfs()).plan(), plan, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(new TreeSet<>(PlanFiles.readPlan(plan).phaseNames()), complete(completer, "runner --phase "),
        "the plan written meanwhile is read at the next TAB");

    Supplier<Path> failing = () -> {
      throw new IllegalStateException("no rootfs found");
    };
    assertEquals(Set.of(), complete(ShellCommand.completer(failing), "runner --package "), "detection failing: no candidates");
    assertTrue(complete(ShellCommand.completer(failing), "iterate --assistant ").contains("codex"), "static values still complete");
  }

  /** What JLine would offer for the word under the cursor at the end of {@code line}. */
  private static Set<String> complete(Completer completer, String line) {
    Parser parser = new DefaultParser();
    ParsedLine parsed = parser.parse(line, line.length(), Parser.ParseContext.COMPLETE);
    List<Candidate> candidates = new ArrayList<>();
    completer.complete(null, parsed, candidates);
    String prefix = parsed.word().substring(0, parsed.wordCursor());
    Set<String> out = new TreeSet<>();
    for (Candidate c : candidates) if (c.value().startsWith(prefix)) out.add(c.value());
    return out;
  }
}
