package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.connector.LoadState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An OAuth2 token is kept until its expiry by the connector's clock, and fetched again once the
 * clock passes it: against the real token endpoint of the local test server, with clocks the test
 * sets instead of waiting an hour.
 */
class OAuth2ExpiryTest extends HttpConnectorTestBase {
  private static final Instant ISSUED = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void aTokenIsFetchedAgainOnceTheClockPassesItsExpiry() {
    api.route(
        "/expiring/token",
        request ->
            TestApi.Response.json(
                "{\"access_token\":\"e"
                    + api.requests("/expiring/token").size()
                    + "\",\"expires_in\":3600}"));
    serveOrdersToBearer("e");
    Map<String, String> options =
        oauth2Options("/expiring/token", "expiry-client", "expiry-secret");

    // tokens are shared by the loads of a client, whichever connector instance runs them
    loadAt(ISSUED, options);
    // within the hour, less the 30 s the connector keeps in hand: the cached token serves
    loadAt(ISSUED.plus(Duration.ofMinutes(59)), options);
    assertThat(api.requests("/expiring/token")).hasSize(1);

    // past the expiry (less the margin): a new token is fetched once, then kept
    loadAt(ISSUED.plus(Duration.ofMinutes(59).plusSeconds(31)), options);
    loadAt(ISSUED.plus(Duration.ofMinutes(60)), options);

    assertThat(api.requests("/expiring/token")).hasSize(2);
    assertThat(api.requests("/orders"))
        .extracting(request -> request.header("Authorization"))
        .containsExactly("Bearer e1", "Bearer e1", "Bearer e2", "Bearer e2");
  }

  /** Loads the table with a connector whose clock stands at {@code now}. */
  private void loadAt(Instant now, Map<String, String> options) {
    new HttpConnector(Clock.fixed(now, ZoneOffset.UTC))
        .stage(spec(options), LoadState.empty(), session);
  }
}
