package dev.sluice.core.project;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads {@code alerts:} of sluice.yaml:
 *
 * <pre>
 * alerts:
 *   channels:
 *     oncall: {type: slack, url: ${env:SLACK_WEBHOOK_URL}}
 *     ops: {type: webhook, url: https://ops.example.com/hooks/sluice, token: ${env:OPS_TOKEN}}
 *     team:
 *       type: email
 *       to: [data-team@example.com]
 *       from: sluice@example.com
 *       smtp: {host: smtp.example.com, port: 587, security: starttls,
 *              user: ${env:SMTP_USER}, password: ${env:SMTP_PASSWORD}}
 *   rules:
 *     - {name: failures, on: run_failed, channels: [oncall]}
 *     - {name: bad-data, on: check_failed, select: [published_orders+], channels: [ops, team]}
 *     - {name: stale, on: freshness, max_age: 6h, select: [daily_revenue], channels: [team]}
 *     - {name: slo, on: slo_breach, channels: [oncall]}
 * </pre>
 */
final class AlertsParser {
  static final String KEY = "alerts";
  private static final Set<String> KEYS = Set.of("channels", "rules");
  private static final Set<String> CHANNEL_KEYS =
      Set.of("type", "url", "token", "to", "from", "smtp");
  private static final Set<String> SMTP_KEYS =
      Set.of("host", "port", "security", "user", "password");
  private static final Set<String> RULE_KEYS =
      Set.of("name", "on", "select", "max_age", "channels");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern AGE = Pattern.compile("(\\d+)\\s*(m|h|d)");
  private static final Pattern ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+");

  private AlertsParser() {}

  static AlertsConfig parse(YamlMap config, Secrets secrets) {
    Optional<YamlMap> maybeSection = config.map(KEY, "'alerts:' of sluice.yaml", KEYS);
    if (maybeSection.isEmpty()) {
      return AlertsConfig.NONE;
    }
    YamlMap section = maybeSection.get();
    Map<String, AlertsConfig.Channel> channels = channels(section, secrets);
    List<AlertsConfig.Rule> rules = rules(section, channels.keySet());
    return new AlertsConfig(channels, rules);
  }

  private static Map<String, AlertsConfig.Channel> channels(YamlMap section, Secrets secrets) {
    Map<String, AlertsConfig.Channel> channels = new LinkedHashMap<>();
    Optional<Node> node = section.node("channels");
    if (node.isEmpty() || YamlMap.isNull(node.get())) {
      return channels;
    }
    if (!(node.get() instanceof MappingNode mapping)) {
      section
          .problems()
          .add(
              section.location("channels"),
              "alerts.channels must map names to channels, got " + YamlMap.describe(node.get()),
              "write e.g. channels: {oncall: {type: slack, url: ${env:SLACK_WEBHOOK_URL}}}");
      return channels;
    }
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)
          || !NAME.matcher(key.getValue()).matches()) {
        section
            .problems()
            .add(
                YamlFiles.location(section.file(), tuple.getKeyNode()),
                "Invalid alert channel name " + YamlMap.describe(tuple.getKeyNode()),
                "use letters, digits, '_' and '-'");
        continue;
      }
      String name = key.getValue();
      YamlMap.of(
              section.file(),
              tuple.getValueNode(),
              "alert channel '" + name + "'",
              CHANNEL_KEYS,
              section.problems())
          .flatMap(channel -> channel(name, channel, secrets))
          .ifPresent(channel -> channels.put(name, channel));
    }
    return channels;
  }

  private static Optional<AlertsConfig.Channel> channel(
      String name, YamlMap channel, Secrets secrets) {
    String type = channel.string("type");
    String kind = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
    String what = "alerts.channels." + name;
    return switch (kind) {
      case "webhook" -> {
        String url = channel.string("url");
        Optional<String> resolved =
            url != null && url.strip().startsWith("${")
                ? secrets.resolve(url, what + ".url", channel.location("url"))
                : Optional.ofNullable(url);
        Optional<URI> uri = httpUrl(channel, what, resolved.orElse(null), url != null);
        String token = null;
        if (channel.string("token") != null) {
          token =
              secrets
                  .resolve(channel.string("token"), what + ".token", channel.location("token"))
                  .orElse(null);
        }
        String bearer = token;
        yield uri.map(found -> new AlertsConfig.Webhook(name, found, bearer));
      }
      case "slack" -> {
        String url = channel.string("url");
        if (url == null) {
          channel
              .problems()
              .add(
                  channel.location(),
                  "Alert channel '" + name + "' (slack) needs a url",
                  "write url: ${env:SLACK_WEBHOOK_URL}: the webhook's URL is its credential");
          yield Optional.empty();
        }
        yield secrets
            .resolve(url, what + ".url", channel.location("url"))
            .flatMap(resolved -> httpUrl(channel, what, resolved, true))
            .map(uri -> new AlertsConfig.Slack(name, uri));
      }
      case "email" -> email(name, channel, secrets);
      default -> {
        channel
            .problems()
            .add(
                type == null ? channel.location() : channel.location("type"),
                type == null
                    ? "Alert channel '" + name + "' needs a type"
                    : "Unknown alert channel type '" + type + "'",
                "write type: webhook, type: slack or type: email");
        yield Optional.empty();
      }
    };
  }

  /** An http(s) URL, or a problem; never repeats the value (it may be a resolved secret). */
  private static Optional<URI> httpUrl(YamlMap channel, String what, String url, boolean given) {
    if (url == null) {
      if (!given) {
        channel
            .problems()
            .add(
                channel.location(),
                what + " needs a url",
                "write e.g. url: https://ops.example.com/hooks/sluice");
      }
      return Optional.empty();
    }
    try {
      URI uri = new URI(url.strip());
      if (uri.getHost() != null
          && ("http".equalsIgnoreCase(uri.getScheme())
              || "https".equalsIgnoreCase(uri.getScheme()))) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    channel
        .problems()
        .add(
            channel.location("url"), what + ".url is not an http(s) URL", "write e.g. https://...");
    return Optional.empty();
  }

  private static Optional<AlertsConfig.Channel> email(
      String name, YamlMap channel, Secrets secrets) {
    String what = "alerts.channels." + name;
    List<String> to = channel.stringList("to");
    String from = channel.string("from");
    boolean valid = true;
    if (to.isEmpty()) {
      channel
          .problems()
          .add(channel.location(), what + " needs 'to'", "write e.g. to: [data-team@example.com]");
      valid = false;
    }
    for (String address : to) {
      if (!ADDRESS.matcher(address.strip()).matches()) {
        channel
            .problems()
            .add(channel.location("to"), "Invalid e-mail address '" + address + "'", "");
        valid = false;
      }
    }
    if (from == null || !ADDRESS.matcher(from.strip()).matches()) {
      channel
          .problems()
          .add(
              from == null ? channel.location() : channel.location("from"),
              from == null ? what + " needs 'from'" : "Invalid e-mail address '" + from + "'",
              "write e.g. from: sluice@example.com");
      valid = false;
    }
    Optional<YamlMap> maybeSmtp = channel.map("smtp", "'" + what + ".smtp'", SMTP_KEYS);
    if (maybeSmtp.isEmpty()) {
      channel
          .problems()
          .add(
              channel.location(),
              what + " needs an smtp: block",
              "write e.g. smtp: {host: smtp.example.com, port: 587, user: ${env:SMTP_USER},"
                  + " password: ${env:SMTP_PASSWORD}}");
      return Optional.empty();
    }
    YamlMap smtp = maybeSmtp.get();
    String host = smtp.requiredString("host", "add e.g. host: smtp.example.com");
    String securityText = smtp.string("security");
    AlertsConfig.SmtpSecurity security = AlertsConfig.SmtpSecurity.STARTTLS;
    if (securityText != null) {
      try {
        security = AlertsConfig.SmtpSecurity.valueOf(securityText.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        smtp.problems()
            .add(
                smtp.location("security"),
                "Unknown smtp security '" + securityText + "'",
                "write security: starttls (the default), ssl or none");
        valid = false;
      }
    }
    int port = smtp.integer("port", security == AlertsConfig.SmtpSecurity.SSL ? 465 : 587);
    if (port < 1 || port > 65535) {
      smtp.problems().add(smtp.location("port"), "smtp port must be 1 to 65535, got " + port, "");
      valid = false;
    }
    String user = null;
    String password = null;
    if (smtp.string("user") != null) {
      user =
          secrets
              .resolve(smtp.string("user"), what + ".smtp.user", smtp.location("user"))
              .orElse(null);
    }
    if (smtp.string("password") != null) {
      password =
          secrets
              .resolve(smtp.string("password"), what + ".smtp.password", smtp.location("password"))
              .orElse(null);
    }
    if (!valid || host == null) {
      return Optional.empty();
    }
    return Optional.of(
        new AlertsConfig.Email(
            name,
            to.stream().map(String::strip).toList(),
            from.strip(),
            host.strip(),
            port,
            security,
            user,
            password));
  }

  /** {@code 90m}, {@code 6h}, {@code 2d}; null when not one, or not positive. */
  private static Duration age(String text) {
    java.util.regex.Matcher matcher = AGE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) <= 0) {
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private static List<AlertsConfig.Rule> rules(YamlMap section, Set<String> channels) {
    List<AlertsConfig.Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node node : section.list("rules")) {
      YamlMap.of(section.file(), node, "an alert rule", RULE_KEYS, section.problems())
          .ifPresent(
              rule -> {
                String name = rule.requiredString("name", "add e.g. 'name: failures'");
                String onText =
                    rule.requiredString(
                        "on", "add on: run_failed, check_failed, freshness, budget or slo_breach");
                if (name == null || onText == null) {
                  return;
                }
                if (!names.add(name)) {
                  rule.problems()
                      .add(
                          rule.location("name"), "Alert rule '" + name + "' is declared twice", "");
                }
                AlertsConfig.Trigger on;
                try {
                  on = AlertsConfig.Trigger.valueOf(onText.strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                  rule.problems()
                      .add(
                          rule.location("on"),
                          "Unknown alert trigger '" + onText + "'",
                          "write on: run_failed, check_failed, freshness, budget or slo_breach");
                  return;
                }
                Duration maxAge = null;
                String maxAgeText = rule.string("max_age");
                if (maxAgeText != null) {
                  maxAge = age(maxAgeText);
                  if (maxAge == null) {
                    rule.problems()
                        .add(
                            rule.location("max_age"),
                            "'max_age' must be a duration like 90m, 6h or 2d, got '"
                                + maxAgeText
                                + "'",
                            "");
                    return;
                  }
                }
                if (on == AlertsConfig.Trigger.FRESHNESS && maxAge == null) {
                  rule.problems()
                      .add(
                          rule.location(),
                          "Freshness alert rule '" + name + "' needs max_age",
                          "add e.g. max_age: 6h");
                  return;
                }
                if (on != AlertsConfig.Trigger.FRESHNESS && maxAge != null) {
                  rule.problems()
                      .add(
                          rule.location("max_age"),
                          "max_age applies to freshness rules only",
                          "remove it, or write on: freshness");
                }
                List<String> ruleChannels = rule.stringList("channels");
                if (ruleChannels.isEmpty()) {
                  rule.problems()
                      .add(
                          rule.location(),
                          "Alert rule '" + name + "' sends to no channel",
                          "add e.g. channels: [oncall]");
                }
                for (String channel : ruleChannels) {
                  if (!channels.contains(channel)) {
                    rule.problems()
                        .add(
                            rule.location("channels"),
                            "Alert rule '" + name + "' names an unknown channel '" + channel + "'",
                            channels.isEmpty()
                                ? "declare it under alerts.channels"
                                : "declared channels: " + String.join(", ", channels));
                  }
                }
                rules.add(
                    new AlertsConfig.Rule(
                        name,
                        on,
                        rule.stringList("select"),
                        maxAge,
                        ruleChannels,
                        rule.location()));
              });
    }
    return rules;
  }
}
