package dev.bq2.runner.strategy;

import dev.bq2.plan.SourceSpec;
import dev.bq2.runner.StepContext;
import dev.bq2.runner.StepFailedException;
import dev.bq2.runner.Strategy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * `download-sources`: fetches each SourceSpec (http, https or file URL) into the step destdir
 * (else the cache dir), verifying sha256 (or the digest named by `checksum_url`). A cached
 * non-empty file that verifies is reused without any network access. Downloads go to a `.part`
 * file that is renamed only after it verifies, so an interrupted run never leaves a file that
 * a later run would take for a good cache entry.
 */
final class DownloadSourcesStrategy implements Strategy {
  static final int ATTEMPTS = 3;
  static final int MAX_REDIRECTS = 10;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final Duration retryDelay;
  /**
   * Built on the first http(s) download only: a client's selector thread waits in native code,
   * which makes every JVM exit wait 0.3 s for it, and building it costs ~0.1 s at start-up.
   */
  private HttpClient http;

  DownloadSourcesStrategy() {
    this(Duration.ofSeconds(2));
  }

  private synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
    }
    return http;
  }

  /** Tests pass a short delay; the old tool waits 2 s between attempts. */
  DownloadSourcesStrategy(Duration retryDelay) {
    this.retryDelay = retryDelay;
  }

  /** Failure of one attempt; `permanent` ones (HTTP 4xx, missing file:) are not retried. */
  private static final class AttemptFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean permanent;

    AttemptFailed(String message, boolean permanent) {
      super(message);
      this.permanent = permanent;
    }
  }

  @Override
  public void execute(StepContext ctx) throws StepFailedException, InterruptedException {
    List<SourceSpec> sources = ctx.step().sources();
    if (sources == null || sources.isEmpty()) {
      throw new StepFailedException("download-sources requires sources in step " + ctx.step().name());
    }
    String stepDestdir = ctx.step().destdir();
    Path dir = stepDestdir != null && !stepDestdir.isEmpty() ? StepPaths.resolve(ctx, stepDestdir) : ctx.cacheDir();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StepFailedException("Cannot create source directory " + dir + ": " + e);
    }
    for (SourceSpec spec : sources) fetch(ctx, spec, dir);
  }

  private void fetch(StepContext ctx, SourceSpec spec, Path dir) throws StepFailedException, InterruptedException {
    Path target = dir.resolve(spec.filename()).normalize();
    if (!target.startsWith(dir)) {
      throw new StepFailedException("Source filename " + spec.filename() + " of " + spec.name()
          + " leaves the source directory; use a plain file name");
    }
    String expected = expectedSha(ctx, spec);
    if (isUsableCache(target, expected)) {
      ctx.commands().note("Using cached " + target);
      return;
    }
    Path part = target.resolveSibling(target.getFileName() + ".part");
    String lastError = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        ctx.commands().note("Downloading " + spec.url() + " -> " + target + " (attempt " + attempt + "/" + ATTEMPTS + ")");
        String actual = download(spec.url(), part);
        if (Files.size(part) == 0) throw new AttemptFailed("Empty download for " + spec.name(), false);
        if (expected != null && !expected.equalsIgnoreCase(actual)) {
          throw new AttemptFailed("Checksum mismatch for " + spec.name() + " (expected " + expected + ", got " + actual + ")", false);
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ctx.commands().note("Downloaded " + target + " (sha256 " + actual + ")");
        return;
      } catch (AttemptFailed e) {
        lastError = e.getMessage();
        deleteQuietly(part);
        ctx.commands().note("WARN " + lastError);
        if (e.permanent) break;
      } catch (IOException e) {
        lastError = "Download of " + spec.url() + " for " + spec.name() + " failed: " + e;
        deleteQuietly(part);
        ctx.commands().note("WARN " + lastError);
      } catch (InterruptedException e) {
        deleteQuietly(part);
        throw e;
      }
      if (attempt < ATTEMPTS) Thread.sleep(retryDelay.toMillis());
    }
    throw new StepFailedException(lastError);
  }

  /** sha256 from the spec, else from `checksum_url`, else null (no verification, as the old tool). */
  private String expectedSha(StepContext ctx, SourceSpec spec) throws StepFailedException, InterruptedException {
    if (spec.sha256() != null && !spec.sha256().isBlank()) return spec.sha256().trim();
    if (spec.checksumUrl() == null || spec.checksumUrl().isBlank()) return null;
    String text;
    try {
      text = new String(readAll(spec.checksumUrl()), StandardCharsets.UTF_8);
    } catch (AttemptFailed | IOException e) {
      throw new StepFailedException("Cannot fetch checksum_url for " + spec.name() + ": " + e.getMessage());
    }
    String first = null;
    for (String line : text.split("\n")) {
      String[] tokens = line.trim().split("\\s+");
      if (tokens.length == 0 || tokens[0].isEmpty()) continue;
      if (first == null) first = tokens[0];
      if (tokens.length > 1 && tokens[1].contains(spec.filename())) return tokens[0];
    }
    if (first == null) throw new StepFailedException("Empty checksum file " + spec.checksumUrl() + " for " + spec.name());
    return first;
  }

  private static boolean isUsableCache(Path file, String expected) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) == 0) return false;
      return expected == null || expected.equalsIgnoreCase(sha256(file));
    } catch (IOException e) {
      return false;
    }
  }

  /** Streams the URL into `part`, returning its sha256. */
  private String download(String url, Path part) throws AttemptFailed, IOException, InterruptedException {
    MessageDigest digest = newDigest();
    try (InputStream in = open(url); DigestInputStream din = new DigestInputStream(in, digest)) {
      Files.copy(din, part, StandardCopyOption.REPLACE_EXISTING);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private byte[] readAll(String url) throws AttemptFailed, IOException, InterruptedException {
    try (InputStream in = open(url)) {
      return in.readAllBytes();
    }
  }

  /** Opens a file: URL directly, or an http(s) URL following up to 10 redirects by hand. */
  private InputStream open(String url) throws AttemptFailed, IOException, InterruptedException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new AttemptFailed("Invalid source URL " + url + ": " + e.getMessage(), true);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (scheme.equals("file")) {
      Path path = Path.of(uri);
      if (!Files.isRegularFile(path)) throw new AttemptFailed("Missing source file " + path + " (from " + url + ")", true);
      return Files.newInputStream(path);
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new AttemptFailed("Unsupported URL scheme in " + url + " (use http, https or file)", true);
    }
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
      HttpResponse<InputStream> response = http().send(request, HttpResponse.BodyHandlers.ofInputStream());
      int code = response.statusCode();
      if (REDIRECTS.contains(code)) {
        response.body().close();
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) throw new AttemptFailed("GET " + uri + " failed with HTTP " + code + ": redirect without Location", true);
        uri = uri.resolve(location);
        continue;
      }
      if (code / 100 != 2) {
        response.body().close();
        boolean permanent = code / 100 == 4 && code != 408 && code != 429;
        throw new AttemptFailed("GET " + uri + " failed with HTTP " + code, permanent);
      }
      return response.body();
    }
    throw new AttemptFailed("GET " + url + " failed: more than " + MAX_REDIRECTS + " redirects", true);
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // Best effort: a leftover .part is never taken for a cache entry.
    }
  }
}
