package dev.bq2.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bq2.cli.Bq2;
import dev.bq2.json.Json;
import dev.bq2.rootfs.RootfsLayout;
import dev.bq2.state.BuildState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;

/** A temp rootfs with the test plan from src/test/resources/plans, and in-process CLI runs. */
final class TestRootfs {
  final Path root;
  final Path work;
  final RootfsLayout layout;

  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit=" + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  TestRootfs(Path root) throws IOException {
    this.root = root;
    this.work = root.resolve("work");
    Files.createDirectories(work);
    Files.createDirectories(root.resolve("var/lib"));
    this.layout = RootfsLayout.of(root);
  }

  static TestRootfs withPlan(Path dir, String resource) throws IOException {
    TestRootfs r = new TestRootfs(dir);
    r.writePlan(resourceText(resource));
    return r;
  }

  static String resourceText(String resource) throws IOException {
    try (InputStream in = TestRootfs.class.getResourceAsStream("/plans/" + resource)) {
      if (in == null) throw new IOException("no test resource plans/" + resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  void writePlan(String text) throws IOException {
    Files.writeString(layout.plan(), text.replace("@WORK@", work.toString()));
  }

  void writeOverrides(String json) throws IOException {
    Files.writeString(layout.overrides(), json);
  }

  Result bq2(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Bq2.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return new Result(rc, out.toString(), err.toString());
  }

  /** `sysroot-runner --rootfs ROOT ARGS...` in process. */
  Result runner(String... args) {
    List<String> a = new ArrayList<>(List.of("sysroot-runner", "--rootfs", root.toString()));
    a.addAll(List.of(args));
    return bq2(a.toArray(String[]::new));
  }

  Result status(String... args) {
    List<String> a = new ArrayList<>(List.of("sysroot-status", "--rootfs", root.toString()));
    a.addAll(List.of(args));
    return bq2(a.toArray(String[]::new));
  }

  List<String> trace() throws IOException {
    Path t = work.resolve("out/trace");
    return Files.exists(t) ? Files.readAllLines(t) : List.of();
  }

  void clearTrace() throws IOException {
    Files.deleteIfExists(work.resolve("out/trace"));
  }

  BuildState state() {
    return Json.read(layout.state(), BuildState.class, "test");
  }

  List<Path> reports() throws IOException {
    return list(layout.reportDir(), ".json");
  }

  List<Path> logs() throws IOException {
    return list(layout.logDir(), ".log");
  }

  JsonNode newestReport() throws IOException {
    List<Path> r = reports();
    Path p = r.get(r.size() - 1);
    return Json.tree(p, Files.readString(p), "test");
  }

  private static List<Path> list(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }
}
