package dev.sluice.alerts;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.AlertsConfig;
import dev.sluice.core.run.RunObserver;
import dev.sluice.core.run.RunObserverProvider;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Sends alerts for a project whose sluice.yaml has {@code alerts:} rules. */
public final class AlertObserverProvider implements RunObserverProvider {
  @Override
  public Optional<RunObserver> open(Workspace workspace) {
    AlertsConfig config = workspace.project().config().alerts();
    if (config.rules().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new AlertObserver(
            workspace, channels(config), Clock.systemUTC(), AlertObserver.defaultRetries()));
  }

  static Map<String, AlertChannel> channels(AlertsConfig config) {
    Map<String, AlertChannel> channels = new LinkedHashMap<>();
    config
        .channels()
        .forEach(
            (name, channel) -> {
              if (channel instanceof AlertsConfig.Webhook webhook) {
                channels.put(name, HttpChannel.webhook(webhook));
              } else if (channel instanceof AlertsConfig.Slack slack) {
                channels.put(name, HttpChannel.slack(slack));
              } else if (channel instanceof AlertsConfig.Email email) {
                channels.put(name, new EmailChannel(email));
              }
            });
    return channels;
  }
}
