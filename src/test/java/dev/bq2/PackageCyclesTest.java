package dev.bq2;

import static org.junit.jupiter.api.Assertions.*;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md: packages are acyclic, sub-packages included (`runner.strategy` is a package of
 * its own). Read from the compiled classes' constant pools, which name every class a class uses,
 * whether imported, written out in full or only in a signature.
 */
class PackageCyclesTest {
  private static final Pattern OURS = Pattern.compile("dev/bq2/[A-Za-z0-9_$/]+");

  @Test
  void mainPackagesHaveNoCycle() throws Exception {
    Path classes = Path.of(ExitCodes.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(classes.resolve("dev/bq2")), "compiled classes in " + classes);
    Map<String, Map<String, String>> deps = dependencies(classes);
    assertTrue(deps.containsKey("dev.bq2.runner") && deps.containsKey("dev.bq2.cli"), "read: " + deps.keySet());
    List<String> cycles = new ArrayList<>();
    for (Set<String> scc : stronglyConnected(deps)) {
      if (scc.size() < 2) continue;
      StringBuilder b = new StringBuilder("cycle among " + scc + ":");
      for (String from : scc) {
        for (Map.Entry<String, String> e : deps.get(from).entrySet()) {
          if (scc.contains(e.getKey())) b.append("\n  ").append(from).append(" -> ").append(e.getKey()).append(" (").append(e.getValue()).append(")");
        }
      }
      cycles.add(b.toString());
    }
    assertEquals(List.of(), cycles, "package cycles: " + String.join("\n", cycles));
  }

  /** The cycle finder itself, on a graph with one cycle of two and one of three. */
  @Test
  void findsTheCyclesOfAGraph() {
    Map<String, Map<String, String>> g = new TreeMap<>();
    g.put("a", Map.of("b", ""));
    g.put("b", Map.of("a", "", "c", ""));
    g.put("c", Map.of("d", ""));
    g.put("d", Map.of("e", ""));
    g.put("e", Map.of("c", ""));
    g.put("f", Map.of("a", ""));
    List<Set<String>> multi = stronglyConnected(g).stream().filter(s -> s.size() > 1).toList();
    assertEquals(Set.of(Set.of("a", "b"), Set.of("c", "d", "e")), Set.copyOf(multi));
  }

  /** Package → package it uses → one example `Class -> Class` for the message. */
  static Map<String, Map<String, String>> dependencies(Path classes) throws IOException {
    Map<String, Map<String, String>> deps = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(classes)) {
      files = s.filter(p -> p.toString().endsWith(".class")).toList();
    }
    for (Path f : files) {
      String cls = classes.relativize(f).toString().replace('\\', '/').replaceFirst("\\.class$", "");
      String from = packageOf(cls);
      Map<String, String> out = deps.computeIfAbsent(from, k -> new TreeMap<>());
      for (String utf8 : utf8Constants(f)) {
        Matcher m = OURS.matcher(utf8);
        while (m.find()) {
          String used = m.group();
          // a descriptor's last path element is a class name; a bare package string has none
          if (used.indexOf('/') < 0) continue;
          String to = packageOf(used);
          if (!to.equals(from)) out.putIfAbsent(to, cls.replace('/', '.') + " -> " + used.replace('/', '.'));
        }
      }
    }
    return deps;
  }

  private static String packageOf(String internalName) {
    int slash = internalName.lastIndexOf('/');
    return internalName.substring(0, slash).replace('/', '.');
  }

  /** Every CONSTANT_Utf8 of a class file: class names, descriptors and signatures among them. */
  static List<String> utf8Constants(Path classFile) throws IOException {
    List<String> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(classFile); DataInputStream in = new DataInputStream(raw)) {
      if (in.readInt() != 0xCAFEBABE) throw new IOException(classFile + ": not a class file");
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> out.add(in.readUTF());
          case 7, 8, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            i++; // a long or double takes two entries
          }
          default -> throw new IOException(classFile + ": unknown constant pool tag " + tag + " at entry " + i);
        }
      }
    }
    return out;
  }

  /** Tarjan's strongly connected components. */
  static List<Set<String>> stronglyConnected(Map<String, Map<String, String>> g) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    int[] next = {0};
    for (String v : g.keySet()) {
      if (!index.containsKey(v)) strongConnect(v, g, index, low, stack, onStack, out, next);
    }
    return out;
  }

  private static void strongConnect(String v, Map<String, Map<String, String>> g, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] next) {
    index.put(v, next[0]);
    low.put(v, next[0]);
    next[0]++;
    stack.push(v);
    onStack.add(v);
    for (String w : g.getOrDefault(v, Map.of()).keySet()) {
      if (!index.containsKey(w)) {
        strongConnect(w, g, index, low, stack, onStack, out, next);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> scc = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      out.add(scc);
    }
  }
}
