package dev.sluice.connectors.http;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RateLimiter;
import dev.failsafe.RetryPolicy;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import dev.sluice.api.TransientException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the requests of one load with the JDK's {@link HttpClient}: authenticated, at most {@code
 * requests_per_second} per source, and retried by a Failsafe {@link RetryPolicy} on 429, 5xx and
 * network errors, waiting as the server's {@code Retry-After} says or else with exponential
 * backoff. Failures become exceptions whose messages name the source, the host and the cause, with
 * every secret removed.
 */
final class HttpFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(HttpFetcher.class);

  /** One rate limiter per source and rate, shared by the tables (and loads) of the source. */
  private static final Map<String, RateLimiter<Object>> LIMITERS = new ConcurrentHashMap<>();

  private final HttpOptions options;
  private final Secrets secrets;
  private final RequestUrls urls;
  private final String source;
  private final HttpClient client;
  private final RateLimiter<Object> limiter;
  private final OAuth2Tokens tokens;
  private final Clock clock;

  HttpFetcher(HttpOptions options, RequestUrls urls, String source, Clock clock) {
    this.options = options;
    this.secrets = options.secrets();
    this.urls = urls;
    this.source = source;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(options.connectTimeout())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    Double rate = options.requestsPerSecond();
    this.limiter =
        rate == null
            ? null
            : LIMITERS.computeIfAbsent(
                source + "|" + rate,
                key ->
                    RateLimiter.smoothBuilder(Duration.ofNanos((long) (1_000_000_000L / rate)))
                        .withMaxWaitTime(Duration.ofDays(1))
                        .build());
    this.clock = clock;
    this.tokens =
        "oauth2".equals(options.auth().kind()) ? new OAuth2Tokens(options.auth(), clock) : null;
  }

  /**
   * GETs a URL and returns the successful response.
   *
   * @throws TransientException when the source stays unreachable or keeps answering 429 or 5xx
   * @throws InvalidInputException when the source refuses the request (other 4xx statuses)
   */
  HttpResponse<byte[]> get(URI uri) {
    HttpResponse<byte[]> response = send(() -> request(uri), "GET " + urls.display(uri));
    if (response.statusCode() == 401 && tokens != null) {
      // the cached token may have been revoked before it expired: fetch a new one, once
      tokens.invalidate();
      response = send(() -> request(uri), "GET " + urls.display(uri));
    }
    return checked(response, "GET " + urls.display(uri));
  }

  /** Sends a form POST (the OAuth2 token request), retried like every request. */
  HttpResponse<byte[]> postForm(URI uri, String form, Map<String, String> headers, String what) {
    HttpResponse<byte[]> response =
        send(
            () -> {
              HttpRequest.Builder builder =
                  HttpRequest.newBuilder(uri)
                      .timeout(options.timeout())
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .header("Accept", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
              headers.forEach(builder::header);
              return builder.build();
            },
            what);
    return response;
  }

  private HttpRequest request(URI uri) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(options.timeout())
            .header("Accept", "application/json")
            .header("User-Agent", "sluice")
            .GET();
    for (String header : options.headers()) {
      int colon = header.indexOf(':');
      builder.header(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
    }
    HttpOptions.Auth auth = options.auth();
    switch (auth.kind()) {
      case "bearer" -> builder.header("Authorization", "Bearer " + auth.token());
      case "basic" -> builder.header("Authorization", basic(auth.username(), auth.password()));
      case "api_key" -> {
        if (!auth.apiKeyInQuery()) {
          builder.header(auth.apiKeyName(), auth.apiKey());
        }
      }
      case "oauth2" -> builder.header("Authorization", "Bearer " + tokens.token(this));
      default -> {}
    }
    return builder.build();
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Sends with rate limit and retries; returns the last response, whatever its status. */
  private HttpResponse<byte[]> send(Supplier<HttpRequest> request, String what) {
    AtomicInteger attempts = new AtomicInteger();
    RetryPolicy<HttpResponse<byte[]>> retry =
        RetryPolicy.<HttpResponse<byte[]>>builder()
            .handle(IOException.class)
            .handleResultIf(response -> retryable(response.statusCode()))
            .withMaxRetries(options.maxRetries())
            .withDelayFn(context -> delay(context.getLastResult(), context.getAttemptCount()))
            .onRetryScheduled(
                event ->
                    LOG.info(
                        "Source '{}': {} {}; retrying in {} ms",
                        source,
                        what,
                        event.getLastResult() != null
                            ? "answered HTTP " + event.getLastResult().statusCode()
                            : "failed: " + cause(event.getLastException()),
                        event.getDelay().toMillis()))
            .build();
    try {
      return Failsafe.with(retry)
          .get(
              () -> {
                attempts.incrementAndGet();
                if (limiter != null) {
                  limiter.acquirePermit();
                }
                return client.send(request.get(), HttpResponse.BodyHandlers.ofByteArray());
              });
    } catch (FailsafeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new TransientException("Reading source '" + source + "' was interrupted");
      }
      // the cause is not kept: its message could quote a URL with a key in it
      throw new TransientException(
          "Cannot read source '"
              + source
              + "' (http at "
              + host()
              + "): "
              + what
              + " failed after "
              + attempts.get()
              + (attempts.get() == 1 ? " attempt" : " attempts")
              + ": "
              + cause(cause));
    }
  }

  /** A response that is not a success becomes the exception its status calls for. */
  private HttpResponse<byte[]> checked(HttpResponse<byte[]> response, String what) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    String where = "source '" + source + "' (http at " + host() + ")";
    String answered = "Cannot read " + where + ": " + what + " answered HTTP " + status;
    if (retryable(status)) {
      throw new TransientException(
          answered + " after " + (options.maxRetries() + 1) + " attempts" + excerpt(response));
    }
    if (status == 401 || status == 403) {
      throw new InvalidInputException(
          answered
              + ", refusing the credentials of auth: "
              + options.auth().kind()
              + "; check the auth options and their secrets"
              + excerpt(response));
    }
    throw new InvalidInputException(
        answered + (status == 404 ? "; check 'url'" : "") + excerpt(response));
  }

  /** The start of a response body, for messages, with secrets removed. */
  String excerpt(HttpResponse<byte[]> response) {
    String body = new String(response.body(), StandardCharsets.UTF_8).strip();
    if (body.isEmpty()) {
      return "";
    }
    // redacted before it is shortened, so that no part of a secret is left at the cut
    String shown = secrets.redact(body).replaceAll("\\s+", " ");
    return ": " + (shown.length() > 200 ? shown.substring(0, 200) + "..." : shown);
  }

  /** The source's host (and port), for messages. */
  String host() {
    return urls.host();
  }

  String source() {
    return source;
  }

  private static boolean retryable(int status) {
    return status == 429 || status >= 500;
  }

  /** The wait before the next attempt: Retry-After when the server sent one, else backoff. */
  private Duration delay(HttpResponse<byte[]> last, int attempts) {
    Duration max = options.retryMaxDelay();
    if (last != null) {
      Optional<Duration> retryAfter = retryAfter(last, clock);
      if (retryAfter.isPresent()) {
        return retryAfter.get().compareTo(max) > 0 ? max : retryAfter.get();
      }
    }
    Duration backoff = options.retryInitialDelay();
    for (int i = 1; i < attempts && backoff.compareTo(max) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(max) > 0 ? max : backoff;
  }

  /** The server's Retry-After: seconds, or an HTTP date (from {@code clock}'s now). */
  static Optional<Duration> retryAfter(HttpResponse<?> response, Clock clock) {
    Optional<String> header = response.headers().firstValue("Retry-After");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().strip();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(clock.instant(), at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private String cause(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    if (e instanceof HttpTimeoutException) {
      return "no response within " + options.timeout().toSeconds() + " s (HttpTimeoutException)";
    }
    String message = e.getMessage();
    return secrets.redact(e.getClass().getSimpleName() + (message == null ? "" : ": " + message));
  }
}
