package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API that echoes the request (URL and headers) in its 401 answer, as some do: the secrets sent
 * with it, Base64 in a Basic header and URL-encoded in the query, appear neither in the output, nor
 * in the logs, nor in any file of the project (the state database's run history included).
 */
class SecretRedactionCliTest {
  private static final String USER = "alice";
  private static final String PASSWORD = "Pa55/w0rd+s3cret";
  private static final String API_KEY = "k3y/abc+def=ghi&x y";

  @TempDir Path directory;
  private HttpServer server;

  @BeforeEach
  void startEchoServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          StringBuilder echo =
              new StringBuilder("{\"error\": \"unauthorized\", \"request\": \"")
                  .append(exchange.getRequestMethod())
                  .append(' ')
                  .append(exchange.getRequestURI().toString())
                  .append("\", \"authorization\": \"")
                  .append(exchange.getRequestHeaders().getFirst("Authorization"))
                  .append("\", \"headers\": \"");
          exchange
              .getRequestHeaders()
              .forEach(
                  (name, values) -> echo.append(name).append(": ").append(values).append("; "));
          byte[] body = echo.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(401, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stopEchoServer() {
    server.stop(0);
  }

  private static List<String> forms() {
    List<String> forms = new ArrayList<>();
    for (String secret : List.of(PASSWORD, API_KEY)) {
      forms.add(secret);
      forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
      forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
      forms.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    }
    forms.add(
        Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    return forms;
  }

  @Test
  void secretsEchoedByAServerAreShownNowhere() throws IOException {
    Path shop = directory.resolve("shop");
    Files.createDirectories(shop.resolve("sources"));
    Files.createDirectories(shop.resolve("secrets"));
    Files.writeString(shop.resolve("secrets/password"), PASSWORD + "\n");
    Files.writeString(shop.resolve("secrets/key"), API_KEY + "\n");
    Files.writeString(shop.resolve("sluice.yaml"), "name: shop\n");
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    Files.writeString(
        shop.resolve("sources/basic_api.yaml"),
        """
        connector: http
        options:
          url: %s/v1/orders
          auth: basic
          username: %s
          password: ${file:secrets/password}
          max_retries: 0
        tables:
          - name: orders
        """
            .formatted(url, USER));
    Files.writeString(
        shop.resolve("sources/key_api.yaml"),
        """
        connector: http
        options:
          url: %s/v1/customers
          auth: api_key
          api_key: ${file:secrets/key}
          api_key_name: api_key
          api_key_in: query
          max_retries: 0
        tables:
          - name: customers
        """
            .formatted(url));

    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Level originalLevel = root.getLevel();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
      root.setLevel(Level.DEBUG);
      code =
          SluiceCommand.execute(
              new String[] {"-p", shop.toString(), "run"},
              new PrintWriter(out),
              new PrintWriter(err));
      SluiceCommand.execute(
          new String[] {"-p", shop.toString(), "runs", "--json"},
          new PrintWriter(out),
          new PrintWriter(err));
    } finally {
      root.setLevel(originalLevel);
      System.setErr(originalErr);
    }

    assertThat(code).as(err.toString()).isNotZero();
    assertThat(err.toString()).contains("HTTP 401").contains("Basic ****");
    String logText = logs.toString(StandardCharsets.UTF_8);
    for (String form : forms()) {
      assertThat(out.toString()).as("stdout").doesNotContain(form);
      assertThat(err.toString()).as("stderr").doesNotContain(form);
      assertThat(logText).as("logs").doesNotContain(form);
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(shop)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(path -> !path.startsWith(shop.resolve("secrets")))
              .toList();
    }
    assertThat(files).anyMatch(path -> path.getFileName().toString().startsWith("state.db"));
    boolean historyKeptTheError = false;
    for (Path file : files) {
      String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      historyKeptTheError |= content.contains("answered HTTP 401");
      for (String form : forms()) {
        assertThat(content).as(file.toString()).doesNotContain(form);
      }
    }
    assertThat(historyKeptTheError).as("the run history holds the error").isTrue();
  }
}
