package dev.bq2;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 17: every reference a user can follow exists. Each relative link in README.md,
 * ARCHITECTURE.md and docs/*.md names a file of the repo (and, with `#anchor`, one of its
 * headings), and so does each doc path cited in src/main (`docs/….md#…`); nothing cites the
 * interop notes we do not ship, or `§` sections of a file that is not here.
 */
class DocReferencesTest {
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  static final Pattern DOC_PATH =
      Pattern.compile("(?<![\\w./-])((?:docs|prompts|bench|src)/[\\w./-]*\\.md|README\\.md|ARCHITECTURE\\.md|CHANGELOG\\.md)(#[\\w-]+)?");
  static final Pattern SECTION = Pattern.compile("([\\w./-]+\\.md)\\s*§");

  static List<Path> markdown() throws IOException {
    List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("ARCHITECTURE.md")));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    }
    return out;
  }

  static List<Path> mainSources() throws IOException {
    try (Stream<Path> s = Files.walk(ROOT.resolve("src/main"))) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  static Set<String> anchors(Path md) throws IOException {
    Set<String> out = new HashSet<>();
    for (String line : Files.readAllLines(md)) {
      if (!line.startsWith("#")) continue;
      String text = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
      out.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
    }
    return out;
  }

  static void check(Path target, String anchor, String where, List<String> problems) throws IOException {
    if (!Files.exists(target)) {
      problems.add(where + ": " + ROOT.relativize(target.normalize()) + " does not exist");
    } else if (anchor != null && target.toString().endsWith(".md") && !anchors(target).contains(anchor)) {
      problems.add(where + ": no heading #" + anchor + " in " + ROOT.relativize(target.normalize()));
    }
  }

  @Test
  void everyRelativeLinkInTheDocsExists() throws IOException {
    List<String> problems = new ArrayList<>();
    int links = 0;
    for (Path md : markdown()) {
      List<String> lines = Files.readAllLines(md);
      boolean code = false;
      for (int i = 0; i < lines.size(); i++) {
        String where = ROOT.relativize(md) + ":" + (i + 1);
        if (lines.get(i).strip().startsWith("```")) code = !code;
        Matcher m = LINK.matcher(code ? "" : lines.get(i));
        while (m.find()) {
          String link = m.group(1);
          if (link.matches("[a-z]+:.*")) continue; // https:, mailto:
          links++;
          int hash = link.indexOf('#');
          String file = hash < 0 ? link : link.substring(0, hash);
          String anchor = hash < 0 ? null : link.substring(hash + 1);
          check(file.isEmpty() ? md : md.getParent().resolve(file), anchor, where, problems);
        }
        Matcher d = DOC_PATH.matcher(lines.get(i));
        while (d.find()) {
          check(ROOT.resolve(d.group(1)), d.group(2) == null ? null : d.group(2).substring(1), where, problems);
        }
        checkSections(lines.get(i), where, problems);
      }
    }
    assertTrue(links >= 10, "the docs link to each other: " + links);
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  @Test
  void everyDocPathCitedInTheSourcesExists() throws IOException {
    List<String> problems = new ArrayList<>();
    int cited = 0;
    for (Path src : mainSources()) {
      List<String> lines;
      try {
        lines = Files.readAllLines(src);
      } catch (java.nio.charset.MalformedInputException e) {
        continue; // not text
      }
      for (int i = 0; i < lines.size(); i++) {
        String where = ROOT.relativize(src) + ":" + (i + 1);
        Matcher d = DOC_PATH.matcher(lines.get(i));
        while (d.find()) {
          cited++;
          check(ROOT.resolve(d.group(1)), d.group(2) == null ? null : d.group(2).substring(1), where, problems);
        }
        checkSections(lines.get(i), where, problems);
      }
    }
    assertTrue(cited >= 10, "the sources cite the docs: " + cited);
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  /** `X.md §N`: X must be ours; the interop notes and `formats-*.md` never were. */
  static void checkSections(String line, String where, List<String> problems) {
    if (line.contains("interop.md")) problems.add(where + ": cites interop.md, which is not in the repo");
    if (line.matches(".*\\bformats-[\\w-]+\\.md.*")) problems.add(where + ": cites a formats-*.md, which is not in the repo");
    Matcher s = SECTION.matcher(line);
    while (s.find()) {
      String name = s.group(1);
      Path p = name.contains("/") ? ROOT.resolve(name) : ROOT.resolve("docs").resolve(name);
      if (!Files.exists(p) && !Files.exists(ROOT.resolve(name))) problems.add(where + ": § of " + name + ", not in the repo");
    }
  }
}
