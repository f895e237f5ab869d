package dev.sluice.alerts;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.project.AlertsConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A webhook (the alert as a JSON document) or a Slack-compatible incoming webhook ({@code {"text":
 * ...}}), POSTed with the JDK's HTTP client.
 */
final class HttpChannel implements AlertChannel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final URI url;
  private final String token;
  private final boolean slack;
  private final HttpClient client;

  private HttpChannel(String name, URI url, String token, boolean slack) {
    this.name = requireNonNull(name, "name is null");
    this.url = requireNonNull(url, "url is null");
    this.token = token;
    this.slack = slack;
    this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  static HttpChannel webhook(AlertsConfig.Webhook webhook) {
    return new HttpChannel(webhook.name(), webhook.url(), webhook.token(), false);
  }

  static HttpChannel slack(AlertsConfig.Slack slack) {
    return new HttpChannel(slack.name(), slack.url(), null, true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void send(Alert alert) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(slack ? slackBody(alert) : body(alert)));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<Void> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new AlertDeliveryException(
          "Cannot reach alert channel '" + name + "': " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AlertDeliveryException("Interrupted while sending to alert channel '" + name + "'");
    }
    if (response.statusCode() / 100 != 2) {
      throw new AlertDeliveryException(
          "Alert channel '" + name + "' answered HTTP " + response.statusCode());
    }
  }

  /** The generic webhook's document. */
  static String body(Alert alert) {
    ObjectNode body = JSON.createObjectNode();
    body.put("project", alert.project());
    body.put("rule", alert.rule());
    body.put("trigger", alert.trigger().label());
    body.put("subject", alert.subject());
    body.put("status", alert.status().label());
    body.put("summary", alert.summary());
    body.put("detail", alert.detail());
    body.put("runId", alert.runId());
    body.put("at", alert.at().toString());
    return body.toString();
  }

  /** Slack's incoming-webhook message: a text with Slack's own markup. */
  static String slackBody(Alert alert) {
    String icon = alert.status() == Alert.Status.FIRING ? ":red_circle:" : ":large_green_circle:";
    ObjectNode body = JSON.createObjectNode();
    body.put(
        "text",
        icon
            + " *"
            + escape(alert.title())
            + "*\n"
            + escape(alert.detail())
            + "\n_rule "
            + escape(alert.rule())
            + "_");
    return body.toString();
  }

  /** Slack's escaping of {@code &}, {@code <} and {@code >} in message text. */
  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public String toString() {
    return (slack ? "slack " : "webhook ") + name;
  }
}
