package dev.sluice.alerts;

/** Delivers alerts somewhere: a webhook, Slack, an e-mail. */
interface AlertChannel {
  /** The channel's name in sluice.yaml. */
  String name();

  /**
   * Delivers one alert.
   *
   * @throws AlertDeliveryException when it could not; its message never holds a secret
   */
  void send(Alert alert);
}
