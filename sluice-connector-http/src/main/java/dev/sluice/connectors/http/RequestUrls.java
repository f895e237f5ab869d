package dev.sluice.connectors.http;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds the request URLs of a table: the configured URL with its query parameters, those of {@code
 * query_params} (with {@code {cursor}} filled), the pagination parameters and an API key that goes
 * in the query. Values are URL-encoded here, once. {@link #display} shows a URL with the API key
 * replaced by {@code ****}, for messages and the rejected-records table.
 */
final class RequestUrls {
  private final String base;
  private final List<Map.Entry<String, String>> params;
  private final String apiKeyParam;
  private final String apiKey;

  RequestUrls(HttpOptions options) {
    String url = options.url().strip();
    int question = url.indexOf('?');
    this.base = question < 0 ? url : url.substring(0, question);
    this.params = new ArrayList<>();
    if (question >= 0) {
      for (String pair : url.substring(question + 1).split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        params.add(Map.entry(decode(name), decode(value)));
      }
    }
    for (String param : options.queryParams()) {
      int equals = param.indexOf('=');
      params.add(Map.entry(param.substring(0, equals).strip(), param.substring(equals + 1)));
    }
    boolean keyInQuery = "api_key".equals(options.auth().kind()) && options.auth().apiKeyInQuery();
    this.apiKeyParam = keyInQuery ? options.auth().apiKeyName() : null;
    this.apiKey = keyInQuery ? options.auth().apiKey() : null;
  }

  /**
   * The URL of a first request.
   *
   * @param cursor the value of {@code {cursor}}, or null to leave out the parameters that use it
   * @param cursorEnd the value of {@code {cursor_end}} (the end of a replay window), or null to
   *     leave out the parameters that use it
   * @param paging parameters of the pagination, which replace parameters of the same name
   */
  URI first(String cursor, String cursorEnd, Map<String, String> paging) {
    Map<String, String> query = new LinkedHashMap<>();
    for (Map.Entry<String, String> param : params) {
      String value = param.getValue();
      if (value.contains(HttpOptions.CURSOR_TEMPLATE)) {
        if (cursor == null) {
          continue;
        }
        value = value.replace(HttpOptions.CURSOR_TEMPLATE, cursor);
      }
      if (value.contains(HttpOptions.CURSOR_END_TEMPLATE)) {
        if (cursorEnd == null) {
          continue;
        }
        value = value.replace(HttpOptions.CURSOR_END_TEMPLATE, cursorEnd);
      }
      query.put(param.getKey(), value);
    }
    query.putAll(paging);
    if (apiKeyParam != null) {
      query.put(apiKeyParam, apiKey);
    }
    return uri(base, query);
  }

  /**
   * A URL the source gave (a next link), resolved against the current one, with the API key added
   * when it goes in the query and the link lacks it.
   *
   * @throws InvalidInputException when the link leads to another host, which must not receive the
   *     credentials
   */
  URI follow(URI current, String link) {
    URI next;
    try {
      next = current.resolve(new URI(link.strip()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new InvalidInputException(
          "The next-page link of "
              + display(current)
              + " is not a valid URL: "
              + Secrets.of(apiKey).redact(e.getMessage()));
    }
    if (!sameOrigin(current, next)) {
      throw new InvalidInputException(
          "The next-page link of "
              + display(current)
              + " leads to another host ("
              + next.getScheme()
              + "://"
              + next.getAuthority()
              + "); Sluice does not send the source's credentials there");
    }
    if (apiKeyParam != null
        && (next.getRawQuery() == null
            || !("&" + next.getRawQuery()).contains("&" + encode(apiKeyParam) + "="))) {
      String separator = next.getRawQuery() == null ? "?" : "&";
      return URI.create(next.toString() + separator + encode(apiKeyParam) + "=" + encode(apiKey));
    }
    return next;
  }

  /** The URL with the API key (plain or encoded) replaced by {@code ****}. */
  String display(URI uri) {
    String text = uri.toString();
    if (apiKey != null && !apiKey.isEmpty()) {
      text = text.replace(encode(apiKey), "****").replace(apiKey, "****");
    }
    return text;
  }

  /** The host (and port) of the configured URL, for messages. */
  String host() {
    URI uri = URI.create(base);
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  private static URI uri(String base, Map<String, String> query) {
    if (query.isEmpty()) {
      return URI.create(base);
    }
    StringJoiner joiner = new StringJoiner("&", base + "?", "");
    query.forEach((name, value) -> joiner.add(encode(name) + "=" + encode(value)));
    return URI.create(joiner.toString());
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String decode(String text) {
    return text.contains(HttpOptions.CURSOR_TEMPLATE)
            || text.contains(HttpOptions.CURSOR_END_TEMPLATE)
        ? text
        : URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
