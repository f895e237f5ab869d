package dev.sluice.connectors.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on the loopback interface, started by a test, that answers with what the
 * test's handler returns and records every request it received.
 */
final class TestApi implements AutoCloseable {
  /** A request as the server saw it. */
  record Request(
      String method,
      String path,
      Map<String, String> query,
      Map<String, String> headers,
      String body,
      long receivedAtNanos) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** An answer: status, headers and body. */
  record Response(int status, Map<String, String> headers, String body) {
    static Response json(String body) {
      return new Response(200, Map.of("Content-Type", "application/json"), body);
    }

    static Response status(int status, String body) {
      return new Response(status, Map.of("Content-Type", "application/json"), body);
    }

    Response withHeader(String name, String value) {
      Map<String, String> headers = new LinkedHashMap<>(this.headers);
      headers.put(name, value);
      return new Response(status, headers, body);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  TestApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  /** Answers requests under {@code path} with the handler's response. */
  TestApi route(String path, Function<Request, Response> handler) {
    server.createContext(
        path,
        exchange -> {
          try {
            Request request = request(exchange);
            requests.add(request);
            respond(exchange, handler.apply(request));
          } catch (RuntimeException e) {
            respond(exchange, Response.status(599, "test handler failed: " + e));
          }
        });
    return this;
  }

  /** The base URL, e.g. {@code http://127.0.0.1:12345}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  List<Request> requests(String path) {
    return requests().stream().filter(request -> request.path().equals(path)).toList();
  }

  private static Request request(HttpExchange exchange) throws IOException {
    Map<String, String> query = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int equals = pair.indexOf('=');
        query.put(
            URLDecoder.decode(
                equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
            equals < 0
                ? ""
                : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) ->
                headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values)));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    return new Request(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getPath(),
        query,
        headers,
        body,
        System.nanoTime());
  }

  private static void respond(HttpExchange exchange, Response response) throws IOException {
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
