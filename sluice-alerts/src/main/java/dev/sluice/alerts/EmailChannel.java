package dev.sluice.alerts;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.AlertsConfig;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Date;
import java.util.Properties;

/** Sends an alert as a plain-text e-mail through an SMTP server (Jakarta Mail, Eclipse Angus). */
final class EmailChannel implements AlertChannel {
  private static final String TIMEOUT_MILLIS = "10000";

  private final AlertsConfig.Email email;
  private final Session session;

  EmailChannel(AlertsConfig.Email email) {
    this.email = requireNonNull(email, "email is null");
    Properties properties = new Properties();
    properties.put("mail.smtp.host", email.host());
    properties.put("mail.smtp.port", Integer.toString(email.port()));
    properties.put("mail.smtp.connectiontimeout", TIMEOUT_MILLIS);
    properties.put("mail.smtp.timeout", TIMEOUT_MILLIS);
    properties.put("mail.smtp.writetimeout", TIMEOUT_MILLIS);
    switch (email.security()) {
      case STARTTLS -> {
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
      }
      case SSL -> properties.put("mail.smtp.ssl.enable", "true");
      case NONE -> {
        // a relay on the same host, or a test server
      }
    }
    if (email.user() != null) {
      properties.put("mail.smtp.auth", "true");
    }
    this.session = Session.getInstance(properties);
  }

  @Override
  public String name() {
    return email.name();
  }

  @Override
  public void send(Alert alert) {
    try {
      MimeMessage message = new MimeMessage(session);
      message.setFrom(new InternetAddress(email.from()));
      for (String to : email.to()) {
        message.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
      }
      message.setSubject(alert.title(), "UTF-8");
      message.setSentDate(Date.from(alert.at()));
      message.setText(text(alert), "UTF-8");
      if (email.user() != null) {
        Transport.send(message, email.user(), email.password());
      } else {
        Transport.send(message);
      }
    } catch (MessagingException e) {
      throw new AlertDeliveryException(
          "Cannot send the e-mail of alert channel '"
              + email.name()
              + "' through "
              + email.host()
              + ":"
              + email.port()
              + ": "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null
                  ? ""
                  : " " + e.getMessage().lines().findFirst().orElse("")));
    }
  }

  static String text(Alert alert) {
    return alert.title()
        + "\n\n"
        + alert.detail()
        + "\n\nProject: "
        + alert.project()
        + "\nRule: "
        + alert.rule()
        + " ("
        + alert.trigger().label()
        + ")\nSubject: "
        + alert.subject()
        + (alert.runId() == null
            ? ""
            : "\nRun: " + alert.runId() + " (sluice runs show " + alert.runId() + ")")
        + "\nAt: "
        + alert.at()
        + "\n";
  }

  @Override
  public String toString() {
    return email.toString();
  }
}
