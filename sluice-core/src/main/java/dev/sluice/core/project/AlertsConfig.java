package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code alerts:} of sluice.yaml: where alerts go ({@code channels}) and when ({@code rules}).
 * Secrets (a Slack webhook's URL, a webhook's token, the SMTP password) are resolved references.
 */
public record AlertsConfig(Map<String, Channel> channels, List<Rule> rules) {
  /** No alerts. */
  public static final AlertsConfig NONE = new AlertsConfig(Map.of(), List.of());

  public AlertsConfig {
    channels = Copies.orderedMap(channels);
    rules = List.copyOf(rules);
  }

  /** Where an alert goes. */
  public sealed interface Channel permits Webhook, Slack, Email {
    /** The channel's name in sluice.yaml. */
    String name();
  }

  /**
   * POSTs the alert as JSON to {@code url}, with {@code token} (resolved, may be null) as a bearer
   * token.
   */
  public record Webhook(String name, URI url, String token) implements Channel {
    public Webhook {
      requireNonNull(name, "name is null");
      requireNonNull(url, "url is null");
    }

    /** Never shows the token. */
    @Override
    public String toString() {
      return "webhook " + name + " (" + url.getScheme() + "://" + url.getAuthority() + ")";
    }
  }

  /** POSTs {@code {"text": ...}} to a Slack-compatible incoming webhook; its URL is a secret. */
  public record Slack(String name, URI url) implements Channel {
    public Slack {
      requireNonNull(name, "name is null");
      requireNonNull(url, "url is null");
    }

    /** Never shows the URL: it is the credential. */
    @Override
    public String toString() {
      return "slack " + name;
    }
  }

  /** How the SMTP connection is secured. */
  public enum SmtpSecurity {
    /** Plain, then upgraded with STARTTLS (required). */
    STARTTLS,
    /** TLS from the first byte (SMTPS, usually port 465). */
    SSL,
    /** No encryption: only for a relay on the same host or in tests. */
    NONE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Sends an e-mail through an SMTP server; {@code user} and {@code password} may be null. */
  public record Email(
      String name,
      List<String> to,
      String from,
      String host,
      int port,
      SmtpSecurity security,
      String user,
      String password)
      implements Channel {
    public Email {
      requireNonNull(name, "name is null");
      to = List.copyOf(to);
      requireNonNull(from, "from is null");
      requireNonNull(host, "host is null");
      requireNonNull(security, "security is null");
    }

    /** Never shows the credentials. */
    @Override
    public String toString() {
      return "email " + name + " (" + host + ":" + port + " to " + String.join(", ", to) + ")";
    }
  }

  /** What a rule watches. */
  public enum Trigger {
    /**
     * A step of a selected asset failed (or a run failed as a whole); resolved when it succeeds.
     */
    RUN_FAILED,
    /** A check of a selected asset failed, whatever its severity; resolved when it passes. */
    CHECK_FAILED,
    /** A selected asset's newest data is older than {@code max_age}; resolved when fresh. */
    FRESHNESS,
    /**
     * A budget of {@code budgets:} reached its warning share or its amount this month, a run was
     * refused by a hard budget, or a model's cost jumped far above its history; once per month.
     */
    BUDGET,
    /**
     * A selected asset with {@code freshness:} is older than its {@code error_after}, or its
     * freshness SLO's error budget is spent; resolved when neither.
     */
    SLO_BREACH;

    /**
     * The name in sluice.yaml: {@code run_failed}, {@code check_failed}, {@code freshness}, {@code
     * budget}, {@code slo_breach}.
     */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One rule.
   *
   * @param select the assets it watches, in the selection syntax; empty for every asset
   * @param maxAge for {@link Trigger#FRESHNESS}, how old the newest data may be; else null
   * @param channels the names of the channels it sends to
   */
  public record Rule(
      String name,
      Trigger on,
      List<String> select,
      Duration maxAge,
      List<String> channels,
      Location location) {
    public Rule {
      requireNonNull(name, "name is null");
      requireNonNull(on, "on is null");
      select = List.copyOf(select);
      channels = List.copyOf(channels);
      requireNonNull(location, "location is null");
    }
  }
}
