package dev.bq2.assistant;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bq2.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A model API on 127.0.0.1 answering from a script, for driving the real assistant CLIs offline.
 * Each model request takes the next scripted reply (the last one repeats when the script runs
 * out); every request body is kept so tests can assert what the CLI sent.
 */
public abstract class ModelStub implements AutoCloseable {
  /** One scripted reply. */
  public sealed interface Reply permits Text, Json_, Call, Status, Hang {}

  /** A plain text answer from the model. */
  public record Text(String text) implements Reply {}

  /** A structured answer: for Claude a StructuredOutput tool call; for Codex the JSON as text. */
  public record Json_(String json) implements Reply {}

  /** A tool call the CLI executes (Codex: a `function_call` such as `exec_command`); {@code arguments} is JSON text. */
  public record Call(String name, String arguments) implements Reply {}

  /** An HTTP error status. */
  public record Status(int code) implements Reply {}

  /** Never answer (until the stub closes). */
  public record Hang() implements Reply {}

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "model-stub");
    t.setDaemon(true);
    return t;
  });
  private final Deque<Reply> script = new ArrayDeque<>();
  private Reply lastReply = new Text("(stub script is empty)");
  private final List<JsonNode> requests = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private int counter;

  ModelStub(String path) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    this.path = path;
    server.start();
  }

  private final String path;

  int port() {
    return server.getAddress().getPort();
  }

  public synchronized ModelStub then(Reply... replies) {
    for (Reply r : replies) script.add(r);
    return this;
  }

  public synchronized List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals(path)) {
        ex.sendResponseHeaders("HEAD".equals(ex.getRequestMethod()) ? 200 : 404, -1);
        return;
      }
      Reply reply;
      int n;
      synchronized (this) {
        requests.add(Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8)));
        reply = script.isEmpty() ? lastReply : script.poll();
        lastReply = reply;
        n = ++counter;
      }
      if (reply instanceof Hang) {
        try {
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      if (reply instanceof Status s) {
        byte[] msg = ("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"stub error " + s.code() + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(s.code(), msg.length);
        ex.getResponseBody().write(msg);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", "text/event-stream");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      for (String[] event : events(reply, n)) {
        out.write(("event: " + event[0] + "\ndata: " + event[1] + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }

  /** The SSE events (name, data JSON) answering with {@code reply} as the n-th response. */
  abstract List<String[]> events(Reply reply, int n);

  static String quote(String s) {
    return Json.line(s);
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
