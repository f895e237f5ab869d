package dev.sluice.connectors.kafka;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A small HTTP server that speaks the schema registry protocol of the Confluent REST API, as far as
 * the connector uses it: {@code GET /schemas/ids/{id}} answers {@code {"schema": "..."}} for a
 * schema the test registered, and 404 with {@code error_code} 40403 for an unknown id; {@code GET
 * /subjects/{subject}/versions/latest} answers the subject's latest schema with its id, or 404 with
 * 40401; with a user, requests without its HTTP basic credentials get 401.
 *
 * <p>This is the registry's protocol, not a real registry: Confluent Schema Registry is not on
 * Maven Central, and Apicurio Registry (which is) is a Quarkus application that cannot reasonably
 * be started inside a test's JVM. The messages are real Confluent wire format, written with Avro's
 * own encoder behind the 5-byte header (magic byte 0, schema id), as Confluent's serializer writes
 * them.
 */
final class TestSchemaRegistry implements AutoCloseable {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final HttpServer server;
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();
  private final Map<String, Integer> subjects = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger(100);
  private final AtomicInteger lookups = new AtomicInteger();
  private final String authorization;

  /** Starts a registry; with a user, it requires HTTP basic authentication. */
  TestSchemaRegistry(String user, String password) throws IOException {
    this.authorization =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/schemas/ids/", this::handle);
    server.createContext("/subjects/", this::handleSubject);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Registers a schema and returns its new id. */
  int register(Schema schema) {
    int id = ids.incrementAndGet();
    schemas.put(id, schema);
    return id;
  }

  /** Registers a schema as the latest version of a subject and returns its new id. */
  int register(String subject, Schema schema) {
    int id = register(schema);
    subjects.put(subject, id);
    return id;
  }

  /** How many schema lookups the registry answered. */
  int lookups() {
    return lookups.get();
  }

  /** A datum in the Confluent wire format: magic byte 0, the schema id, then Avro binary. */
  static byte[] wire(int id, Schema schema, Object datum) {
    byte[] avro = avro(schema, datum);
    return ByteBuffer.allocate(5 + avro.length).put((byte) 0).putInt(id).put(avro).array();
  }

  /** A datum as plain Avro binary. */
  static byte[] avro(Schema schema, Object datum) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      new GenericDatumWriter<>(schema).write(datum, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (authorization != null
          && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        respond(exchange, 401, error(40101, "Unauthorized"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String id = path.substring("/schemas/ids/".length());
      Schema schema = id.matches("\\d{1,9}") ? schemas.get(Integer.parseInt(id)) : null;
      if (!"GET".equals(exchange.getRequestMethod()) || schema == null) {
        respond(exchange, 404, error(40403, "Schema " + id + " not found"));
        return;
      }
      lookups.incrementAndGet();
      ObjectNode body = MAPPER.createObjectNode();
      body.put("schema", schema.toString());
      respond(exchange, 200, body);
    }
  }

  private void handleSubject(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (authorization != null
          && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        respond(exchange, 401, error(40101, "Unauthorized"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String subject =
          path.endsWith("/versions/latest")
              ? path.substring("/subjects/".length(), path.length() - "/versions/latest".length())
              : null;
      Integer id = subject == null ? null : subjects.get(subject);
      if (!"GET".equals(exchange.getRequestMethod()) || id == null) {
        respond(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
        return;
      }
      ObjectNode body = MAPPER.createObjectNode();
      body.put("subject", subject);
      body.put("id", id);
      body.put("version", 1);
      body.put("schema", schemas.get(id).toString());
      respond(exchange, 200, body);
    }
  }

  private static ObjectNode error(int code, String message) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("error_code", code);
    body.put("message", message);
    return body;
  }

  private static void respond(HttpExchange exchange, int status, ObjectNode body)
      throws IOException {
    byte[] bytes = MAPPER.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
