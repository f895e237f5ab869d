package dev.sluice.connectors.kafka;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import dev.sluice.api.TransientException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of a schema registry that speaks the Confluent REST API (Confluent Schema Registry,
 * Apicurio Registry's {@code /apis/ccompat/v7}, Redpanda, Karapace). It calls only {@code GET
 * /schemas/ids/{id}}, as the id in a message's header names its writer schema, and (for discover)
 * {@code GET /subjects/{subject}/versions/latest}. Schemas are immutable under their id, so found
 * ones are cached for the life of the JVM (per registry URL).
 *
 * <p>Failures that concern the registry rather than one message fail the load: an unreachable
 * registry (transient), refused credentials or a URL that does not speak the API (invalid input).
 * An id the registry does not know is a problem of the message, which is quarantined. Messages name
 * the registry's URL and never its credentials (the URL may not carry any: see {@link
 * KafkaOptions#problems}).
 */
final class SchemaRegistry {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final int CACHE_LIMIT = 10_000;
  private static final Map<String, Map<Integer, Schema>> CACHE = new ConcurrentHashMap<>();

  /** Clients by connect timeout: shared by loads, since each client keeps a selector thread. */
  private static final Map<Duration, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  private final String url;
  private final String authorization;
  private final Duration timeout;
  private final String where;
  private final HttpClient client;

  /**
   * @param url the registry's base URL, e.g. {@code https://registry.internal:8081}
   * @param username the user for HTTP basic authentication, or null for none
   * @param password its password (a resolved secret), or null
   * @param where the source table, for messages
   */
  SchemaRegistry(String url, String username, String password, Duration timeout, String where) {
    requireNonNull(url, "url is null");
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.authorization =
        username == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (username + ":" + (password == null ? "" : password))
                            .getBytes(StandardCharsets.UTF_8));
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.where = requireNonNull(where, "where is null");
    this.client =
        CLIENTS.computeIfAbsent(
            timeout, key -> HttpClient.newBuilder().connectTimeout(key).build());
  }

  /** The registry's URL, as messages show it. */
  String url() {
    return url;
  }

  /**
   * The writer schema with this id; or, as {@link Lookup#problem()}, why there is none: the
   * registry does not know the id, or its schema is not Avro or cannot be parsed.
   *
   * @throws TransientException when the registry cannot be reached or fails (5xx)
   * @throws InvalidInputException when it refuses the credentials or does not speak the API
   */
  Lookup schema(int id) {
    Map<Integer, Schema> cached = CACHE.computeIfAbsent(url, key -> new ConcurrentHashMap<>());
    Schema known = cached.get(id);
    if (known != null) {
      return new Lookup(known, null);
    }
    JsonNode body = get("/schemas/ids/" + id, 40403);
    if (body == null) {
      return new Lookup(null, "schema id " + id + " is not in the schema registry at " + url);
    }
    Lookup lookup = parse(body, "schema id " + id);
    if (lookup.schema() != null && cached.size() < CACHE_LIMIT) {
      cached.put(id, lookup.schema());
    }
    return lookup;
  }

  /**
   * The latest schema registered under a subject (e.g. {@code orders-value}), or null when the
   * registry has no such subject.
   *
   * @throws TransientException when the registry cannot be reached or fails (5xx)
   * @throws InvalidInputException when it refuses the credentials, does not speak the API, or the
   *     subject's schema is not an Avro schema
   */
  Schema latest(String subject) {
    JsonNode body =
        get(
            "/subjects/"
                + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20")
                + "/versions/latest",
            40401);
    if (body == null) {
      return null;
    }
    Lookup lookup = parse(body, "the latest schema of subject '" + subject + "'");
    if (lookup.problem() != null) {
      throw new InvalidInputException(
          "Cannot use " + lookup.problem() + " (schema registry at " + url + ")");
    }
    return lookup.schema();
  }

  /** An Avro schema from the body of an answer, or why it is not one. */
  private static Lookup parse(JsonNode body, String what) {
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equalsIgnoreCase("AVRO")) {
      return new Lookup(null, what + " is a " + type + " schema, not Avro");
    }
    if (body.path("references").size() > 0) {
      return new Lookup(
          null,
          what
              + " refers to other schemas (references), which Sluice does not resolve; embed the"
              + " referenced types in the schema");
    }
    try {
      return new Lookup(new Schema.Parser().parse(body.get("schema").asText()), null);
    } catch (SchemaParseException e) {
      return new Lookup(null, what + " of the registry is not a valid Avro schema: " + e);
    }
  }

  /**
   * The JSON answer to {@code GET path}, or null for a 404 with the Confluent API's error code
   * {@code notFound} (40403 for an unknown schema id, 40401 for an unknown subject).
   */
  private JsonNode get(String path, int notFound) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(timeout)
            .header("Accept", "application/vnd.schemaregistry.v1+json, application/json")
            .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TransientException(
          "Cannot reach the schema registry at "
              + url
              + " for "
              + where
              + ": "
              + describe(e)
              + "; check schema_registry_url and that the registry runs");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientException("Reading a schema from " + url + " was interrupted");
    }
    int status = response.statusCode();
    JsonNode body = parse(response.body());
    if (status == 200 && body != null && body.path("schema").isTextual()) {
      return body;
    }
    if (status == 404 && body != null && body.path("error_code").asInt() == notFound) {
      return null;
    }
    if (status == 401 || status == 403) {
      throw new InvalidInputException(
          "The schema registry at "
              + url
              + " refused the request of "
              + where
              + " (HTTP "
              + status
              + "); check schema_registry_username and schema_registry_password");
    }
    if (status >= 500 || status == 429) {
      throw new TransientException(
          "The schema registry at "
              + url
              + " failed to answer "
              + path
              + " for "
              + where
              + " (HTTP "
              + status
              + ")");
    }
    throw new InvalidInputException(
        "The schema registry at "
            + url
            + " answered HTTP "
            + status
            + " to GET "
            + path
            + " for "
            + where
            + ", which is not the Confluent schema registry API; check schema_registry_url (for"
            + " Apicurio Registry it ends with /apis/ccompat/v7)");
  }

  /** A schema found, or why there is none for the message. */
  record Lookup(Schema schema, String problem) {}

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? null : MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage() == null ? null : Secrets.redactCredentials(e.getMessage());
    String kind = e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT);
    return message == null || message.isBlank() ? kind : kind + ": " + message;
  }
}
