package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.TransientException;
import dev.sluice.api.connector.StagedData;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retries with backoff and Retry-After, and what a source that never recovers leaves behind. */
class HttpRetryTest extends HttpConnectorTestBase {
  @Test
  void retriesA429AfterTheRetryAfterTheServerAsksFor() {
    AtomicInteger calls = new AtomicInteger();
    api.route(
        "/orders",
        request ->
            calls.incrementAndGet() == 1
                ? TestApi.Response.status(429, "{\"error\":\"slow down\"}")
                    .withHeader("Retry-After", "1")
                : TestApi.Response.json(orders(1, 3)));
    StagedData staged = stage(options("url", api.url() + "/orders", "retry_initial_delay", "10ms"));
    assertThat(staged.rows()).isEqualTo(3);
    List<TestApi.Request> requests = api.requests("/orders");
    assertThat(requests).hasSize(2);
    // the second attempt waited at least the second the server asked for, not the 10 ms backoff
    assertThat(requests.get(1).receivedAtNanos() - requests.get(0).receivedAtNanos())
        .isGreaterThanOrEqualTo(900_000_000L);
  }

  @Test
  void retriesServerErrorsWithBackoffThenSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    api.route(
        "/orders",
        request ->
            calls.incrementAndGet() <= 2
                ? TestApi.Response.status(503, "")
                : TestApi.Response.json(orders(1, 1)));
    StagedData staged = stage(options("url", api.url() + "/orders", "retry_initial_delay", "10ms"));
    assertThat(staged.rows()).isEqualTo(1);
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void aServerErrorThatNeverRecoversFailsClearlyAndStagesNothing() {
    String token = "tok-never-shown";
    api.route(
        "/orders",
        request ->
            "2".equals(request.query().get("page"))
                ? TestApi.Response.status(
                    500, "{\"error\":\"internal\",\"echo\":\"" + token + "\"}")
                : TestApi.Response.json(orders(1, 2)));
    assertThatThrownBy(
            () ->
                stage(
                    options(
                        "url",
                        api.url() + "/orders",
                        "pagination",
                        "page_number",
                        "page_size",
                        "2",
                        "auth",
                        "bearer",
                        "token",
                        token,
                        "max_retries",
                        "2",
                        "retry_initial_delay",
                        "10ms")))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("source 'shop'")
        .hasMessageContaining("http at 127.0.0.1:")
        .hasMessageContaining(
            "GET " + api.url() + "/orders?page=2 answered HTTP 500 after 3 attempts")
        .hasMessageNotContaining(token);
    assertThat(api.requests("/orders")).hasSize(4);
    // the first page was read, but nothing of the failed load is left staged
    assertThat(rows("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'stage_shop%'"))
        .containsExactly(List.of("0"));
  }

  @Test
  void anUnreachableSourceFailsNamingTheHost() {
    api.close();
    assertThatThrownBy(
            () ->
                stage(
                    options(
                        "url",
                        api.url() + "/orders",
                        "max_retries",
                        "1",
                        "retry_initial_delay",
                        "10ms")))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("Cannot read source 'shop' (http at 127.0.0.1:")
        .hasMessageContaining("failed after 2 attempts")
        .hasMessageContaining("ConnectException");
  }

  @Test
  void requestsPerSecondSpacesRequests() {
    api.route(
        "/orders",
        request -> {
          int page = Integer.parseInt(request.query().get("page"));
          return TestApi.Response.json(page <= 3 ? orders(page, page) : "[]");
        });
    stage(
        options(
            "url", api.url() + "/orders", "pagination", "page_number", "requests_per_second", "5"));
    List<TestApi.Request> requests = api.requests("/orders");
    assertThat(requests).hasSize(4);
    // at 5 per second the smooth limiter hands out one permit per 200 ms slot, so four requests
    // take four slots: the first and the last are at least two whole slots apart
    assertThat(requests.get(3).receivedAtNanos() - requests.get(0).receivedAtNanos())
        .isGreaterThanOrEqualTo(380_000_000L);
  }
}
