package dev.sluice.alerts;

/**
 * An alert that could not be delivered. The message names the channel and what went wrong (a status
 * code, a refused connection), never a URL or credential of the channel.
 */
final class AlertDeliveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AlertDeliveryException(String message) {
    super(message);
  }
}
