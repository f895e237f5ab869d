package dev.sluice.core.project;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code openlineage:} of sluice.yaml:
 *
 * <pre>
 * openlineage:
 *   namespace: shop                 # default: the project's name
 *   transport:
 *     type: http                    # http, file or console
 *     url: http://marquez:5000
 *     endpoint: /api/v1/lineage     # the default
 *     api_key: ${env:OPENLINEAGE_API_KEY}
 *     timeout: 5                    # seconds, the default
 * </pre>
 */
final class OpenLineageParser {
  static final String KEY = "openlineage";
  private static final Set<String> KEYS = Set.of("namespace", "transport");
  private static final Set<String> TRANSPORT_KEYS =
      Set.of("type", "url", "endpoint", "api_key", "timeout", "path");
  private static final String DEFAULT_ENDPOINT = "/api/v1/lineage";
  private static final int DEFAULT_TIMEOUT_SECONDS = 5;

  private OpenLineageParser() {}

  /** The block, or empty when absent or invalid (with the problems reported). */
  static Optional<OpenLineageConfig> parse(
      Path root, YamlMap config, String projectName, Secrets secrets) {
    Optional<YamlMap> maybeSection = config.map(KEY, "'openlineage:' of sluice.yaml", KEYS);
    if (maybeSection.isEmpty()) {
      return Optional.empty();
    }
    YamlMap section = maybeSection.get();
    String namespace = section.string("namespace");
    Optional<YamlMap> maybeTransport =
        section.map("transport", "'openlineage.transport:' of sluice.yaml", TRANSPORT_KEYS);
    if (maybeTransport.isEmpty()) {
      section
          .problems()
          .add(
              section.location(),
              "openlineage: needs a transport",
              "write e.g. transport: {type: http, url: http://marquez:5000}, or {type: file,"
                  + " path: lineage.jsonl}, or {type: console}");
      return Optional.empty();
    }
    return transport(root, maybeTransport.get(), secrets)
        .map(
            transport ->
                new OpenLineageConfig(
                    namespace == null || namespace.isBlank() ? projectName : namespace.strip(),
                    transport,
                    section.location()));
  }

  private static Optional<OpenLineageConfig.Transport> transport(
      Path root, YamlMap transport, Secrets secrets) {
    String type = transport.string("type");
    String kind = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case "http" -> http(transport, secrets);
      case "file" -> file(root, transport);
      case "console" -> Optional.of(new OpenLineageConfig.Console());
      default -> {
        transport
            .problems()
            .add(
                type == null ? transport.location() : transport.location("type"),
                type == null
                    ? "openlineage.transport needs a type"
                    : "Unknown openlineage transport type '" + type + "'",
                "write type: http, type: file or type: console");
        yield Optional.empty();
      }
    };
  }

  private static Optional<OpenLineageConfig.Transport> file(Path root, YamlMap transport) {
    String path = transport.string("path");
    if (path == null || path.isBlank()) {
      transport
          .problems()
          .add(
              transport.location(),
              "openlineage.transport of type file needs a path",
              "write e.g. path: .sluice/openlineage.jsonl (relative to the project)");
      return Optional.empty();
    }
    try {
      return Optional.of(new OpenLineageConfig.File(root.resolve(path.strip()).normalize()));
    } catch (InvalidPathException e) {
      transport
          .problems()
          .add(transport.location("path"), "Invalid path '" + path + "'", e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<OpenLineageConfig.Transport> http(YamlMap transport, Secrets secrets) {
    String url = transport.string("url");
    URI uri = null;
    if (url != null) {
      try {
        uri = new URI(url.strip());
      } catch (URISyntaxException e) {
        uri = null;
      }
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      transport
          .problems()
          .add(
              url == null ? transport.location() : transport.location("url"),
              url == null
                  ? "openlineage.transport of type http needs a url"
                  : "openlineage.transport.url must be an http(s) URL, got '" + url + "'",
              "write e.g. url: http://marquez:5000");
      return Optional.empty();
    }
    String endpoint = transport.string("endpoint");
    String apiKey = null;
    String reference = transport.string("api_key");
    if (reference != null) {
      Optional<String> resolved =
          secrets.resolve(
              reference, "openlineage.transport.api_key", transport.location("api_key"));
      if (resolved.isEmpty()) {
        return Optional.empty();
      }
      apiKey = resolved.get();
    }
    int timeout = transport.integer("timeout", DEFAULT_TIMEOUT_SECONDS);
    if (timeout < 1) {
      transport
          .problems()
          .add(
              transport.location("timeout"),
              "openlineage.transport.timeout must be at least 1 second, got " + timeout,
              "write e.g. timeout: 5");
      timeout = DEFAULT_TIMEOUT_SECONDS;
    }
    return Optional.of(
        new OpenLineageConfig.Http(
            uri,
            endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip(),
            apiKey,
            Duration.ofSeconds(timeout)));
  }
}
