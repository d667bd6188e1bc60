package dev.bq2.runner.strategy;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bq2.plan.SourceSpec;
import dev.bq2.runner.StepFailedException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** download-sources against a real HTTP server on 127.0.0.1 and against file: URLs. */
class DownloadSourcesStrategyTest {
  @TempDir Path tmp;
  HttpServer server;
  String base;
  byte[] tarball;
  String sha;
  final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  final DownloadSourcesStrategy download = new DownloadSourcesStrategy(Duration.ofMillis(20));

  @BeforeEach
  void start() throws Exception {
    Path pkg = Files.createDirectories(tmp.resolve("src/pkg-1.0"));
    Files.writeString(pkg.resolve("hello.c"), CPackages.HELLO_C);
    Path archive = tmp.resolve("pkg-1.0.tar.gz");
    assertEquals(0, new ProcessBuilder("tar", "-czf", archive.toString(), "-C", tmp.resolve("src").toString(), "pkg-1.0")
        .inheritIO().start().waitFor());
    tarball = Files.readAllBytes(archive);
    Process sum = new ProcessBuilder("sha256sum", archive.toString()).start();
    sha = new String(sum.getInputStream().readAllBytes()).split("\\s+")[0];
    assertEquals(0, sum.waitFor());

    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  int hits(String path) {
    return hits.getOrDefault(path, new AtomicInteger()).get();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    int n = hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    switch (path) {
      case "/pkg-1.0.tar.gz" -> send(ex, 200, tarball);
      case "/redirect" -> redirect(ex, "/pkg-1.0.tar.gz");
      case "/hop1" -> redirect(ex, base + "/redirect");
      case "/loop" -> redirect(ex, "/loop");
      case "/flaky" -> send(ex, n < 3 ? 500 : 200, n < 3 ? "busy".getBytes() : tarball);
      case "/empty" -> send(ex, 200, new byte[0]);
      case "/SHA256SUMS" -> send(ex, 200, ("0000 other.tar.gz\n" + sha + "  pkg-1.0.tar.gz\n").getBytes());
      default -> send(ex, 404, "not found".getBytes());
    }
  }

  private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
    ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().add("Location", location);
    ex.sendResponseHeaders(302, -1);
    ex.close();
  }

  SourceSpec spec(String url, String sha256) {
    return new SourceSpec("pkg", "1.0", url, sha256, null, "pkg-1.0.tar.gz", "pkg-1.0");
  }

  TestStep step(SourceSpec... specs) {
    TestStep s = new TestStep("download-sources", "download-sources", tmp);
    s.workdir = null;
    s.destdir = tmp.resolve("sources").toString();
    s.sources = List.of(specs);
    return s;
  }

  LoggingCommandRunner cmds = null;

  void run(TestStep s) throws Exception {
    cmds = new LoggingCommandRunner(tmp.resolve("step.log"));
    download.execute(s.context(cmds));
  }

  StepFailedException fails(TestStep s) {
    return assertThrows(StepFailedException.class, () -> run(s));
  }

  Path target() {
    return tmp.resolve("sources/pkg-1.0.tar.gz");
  }

  void assertNoLeftovers() throws IOException {
    assertFalse(Files.exists(target()));
    try (var files = Files.list(tmp.resolve("sources"))) {
      assertEquals(List.of(), files.toList(), "partial files are deleted");
    }
  }

  @Test
  void downloadsVerifiesAndReusesTheVerifiedCache() throws Exception {
    TestStep s = step(spec(base + "/pkg-1.0.tar.gz", sha));
    run(s);
    assertArrayEquals(tarball, Files.readAllBytes(target()));
    assertEquals(1, hits("/pkg-1.0.tar.gz"));

    run(s);
    assertEquals(1, hits("/pkg-1.0.tar.gz"), "a verified cache entry is not downloaded again");
    assertTrue(cmds.logText().contains("Using cached " + target()));

    Files.writeString(target(), "corrupt");
    run(s);
    assertEquals(2, hits("/pkg-1.0.tar.gz"), "a cache entry that does not verify is replaced");
    assertArrayEquals(tarball, Files.readAllBytes(target()));
  }

  @Test
  void checksumMismatchFailsAfterThreeAttemptsAndLeavesNothing() throws Exception {
    String wrong = "ab".repeat(32);
    StepFailedException e = fails(step(spec(base + "/pkg-1.0.tar.gz", wrong)));
    assertEquals("Checksum mismatch for pkg (expected " + wrong + ", got " + sha + ")", e.getMessage());
    assertNull(e.command(), "not a command failure");
    assertEquals(3, hits("/pkg-1.0.tar.gz"));
    assertNoLeftovers();
  }

  @Test
  void http404FailsAtOnceNamingUrlAndCode() throws Exception {
    StepFailedException e = fails(step(spec(base + "/missing.tar.gz", sha)));
    assertEquals("GET " + base + "/missing.tar.gz failed with HTTP 404", e.getMessage());
    assertEquals(1, hits("/missing.tar.gz"), "a 404 is permanent and not retried");
    assertNoLeftovers();
  }

  @Test
  void serverErrorsAreRetriedUpToThreeAttempts() throws Exception {
    run(step(spec(base + "/flaky", sha)));
    assertEquals(3, hits("/flaky"));
    assertArrayEquals(tarball, Files.readAllBytes(target()));
  }

  @Test
  void followsRedirectsButNotForever() throws Exception {
    run(step(spec(base + "/hop1", sha)));
    assertEquals(1, hits("/hop1"));
    assertEquals(1, hits("/redirect"));
    assertEquals(1, hits("/pkg-1.0.tar.gz"));
    assertArrayEquals(tarball, Files.readAllBytes(target()));

    Files.delete(target());
    StepFailedException e = fails(step(spec(base + "/loop", sha)));
    assertEquals("GET " + base + "/loop failed: more than 10 redirects", e.getMessage());
    assertEquals(11, hits("/loop"), "the first request plus ten redirects, no retry");
  }

  @Test
  void emptyBodyIsAnEmptyDownload() throws Exception {
    StepFailedException e = fails(step(spec(base + "/empty", null)));
    assertEquals("Empty download for pkg", e.getMessage());
    assertNoLeftovers();
  }

  @Test
  void aPresentFileWithoutChecksumIsSkippedWithoutNetworkAccess() throws Exception {
    Files.createDirectories(tmp.resolve("sources"));
    Files.writeString(target(), "already here");
    run(step(spec(base + "/pkg-1.0.tar.gz", null)));
    assertEquals(0, hits("/pkg-1.0.tar.gz"));
    assertEquals("already here", Files.readString(target()));
  }

  @Test
  void checksumUrlSuppliesTheDigestForTheMatchingFilename() throws Exception {
    SourceSpec withSums = new SourceSpec("pkg", "1.0", base + "/pkg-1.0.tar.gz", null, base + "/SHA256SUMS",
        "pkg-1.0.tar.gz", null);
    run(step(withSums));
    assertEquals(1, hits("/SHA256SUMS"));
    assertArrayEquals(tarball, Files.readAllBytes(target()));

    Files.writeString(target(), "tampered");
    run(step(withSums));
    assertEquals(2, hits("/pkg-1.0.tar.gz"), "the checksum file also guards the cache");
  }

  @Test
  void fileUrlsAreCopiedAndVerifiedIntoTheCacheDirByDefault() throws Exception {
    Path archive = tmp.resolve("pkg-1.0.tar.gz");
    TestStep s = step(spec(archive.toUri().toString(), sha));
    s.destdir = null;
    s.cacheDir = tmp.resolve("cache");
    run(s);
    assertArrayEquals(tarball, Files.readAllBytes(tmp.resolve("cache/pkg-1.0.tar.gz")));

    TestStep missing = step(spec(tmp.resolve("nope.tar.gz").toUri().toString(), sha));
    StepFailedException e = fails(missing);
    assertTrue(e.getMessage().startsWith("Missing source file " + tmp.resolve("nope.tar.gz")), e.getMessage());
  }

  @Test
  void aStepWithoutSourcesIsRejected() {
    TestStep s = step();
    assertEquals("download-sources requires sources in step download-sources", fails(s).getMessage());
  }
}
