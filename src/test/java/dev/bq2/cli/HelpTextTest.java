package dev.bq2.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.bq2.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Issue 10 item 17: every command's `--help` (walked from picocli's command tree, and printed
 * by a real `bq2 ... --help` process) has sentences that end, the shared exit-code block, and
 * placeholders people read (`N`, `DIR`, `DURATION`), never picocli's `<camelCase>` field names.
 */
class HelpTextTest {
  @TempDir Path tmp;

  static final Pattern CAMEL = Pattern.compile("<[a-z]+[A-Z][A-Za-z]*>");

  static List<CommandLine> all(CommandLine cl) {
    List<CommandLine> out = new ArrayList<>(List.of(cl));
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (!out.contains(sub)) out.addAll(all(sub));
    }
    return out;
  }

  @Test
  void everyCommandsHelpEndsItsSentencesListsExitCodesAndNamesItsPlaceholders() {
    List<CommandLine> commands = all(Bq2.commandLine());
    assertTrue(commands.size() >= 20, "the whole tree: " + commands.size());
    List<String> problems = new ArrayList<>();
    for (CommandLine cl : commands) {
      CommandSpec spec = cl.getCommandSpec();
      String name = spec.qualifiedName();
      String[] description = spec.usageMessage().description();
      if (description.length == 0) problems.add(name + ": no description");
      for (String line : description) {
        // Each line a whole sentence: the first is the summary `bq2 --help` lists, and a line cut
        // mid-sentence reads as cut wherever picocli shows it alone.
        if (!line.replace("%n", "").strip().endsWith(".")) problems.add(name + ": description line does not end a sentence: " + line);
      }
      String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
      if (!usage.contains("Exit codes:") || !usage.contains("143")) problems.add(name + ": no exit-code block");
      if (usage.indexOf("Exit codes:") != usage.lastIndexOf("Exit codes:")) problems.add(name + ": two exit-code blocks");
      var camel = CAMEL.matcher(usage);
      if (camel.find()) problems.add(name + ": camelCase placeholder " + camel.group());
      for (ArgSpec arg : spec.args()) {
        if (arg.typeInfo().isBoolean() || arg.hidden()) continue;
        String label = arg.paramLabel();
        if (!label.matches("[A-Z][A-Z0-9_:=|.a-z-]*(\\.\\.\\.)?|[a-z-]+(\\|[a-z-]+)+")) {
          problems.add(name + ": placeholder " + label + " of " + arg);
        }
      }
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  @Test
  @Timeout(600)
  void theRealCommandPrintsTheSameForEveryCommand() throws Exception {
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (CommandLine cl : all(Bq2.commandLine())) {
      List<String> argv = new ArrayList<>(List.of(cl.getCommandSpec().qualifiedName(" ").split(" ")));
      argv.remove(0); // "bq2"
      if (argv.equals(List.of("help"))) continue;
      argv.add("--help");
      ChildJvm c = ChildJvm.run(tmp, tmp.resolve("help-" + n++), Duration.ofMinutes(2), argv.toArray(String[]::new));
      String out = Files.readString(c.out);
      if (c.process.exitValue() != 0) problems.add(argv + ": exit " + c.process.exitValue() + Files.readString(c.err));
      String summary = cl.getCommandSpec().usageMessage().description()[0];
      if (!out.replaceAll("\\s+", " ").contains(summary.replaceAll("\\s+", " "))) problems.add(argv + ": no summary in " + out);
      if (!out.contains("Exit codes:\n  0 ") || !out.contains("143")) problems.add(argv + ": no exit codes in " + out);
      var camel = CAMEL.matcher(out);
      if (camel.find()) problems.add(argv + ": camelCase placeholder " + camel.group() + " in " + out);
    }
    assertTrue(n >= 20, "ran " + n);
    assertEquals(List.of(), problems, String.join("\n", problems));
  }
}
