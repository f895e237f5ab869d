package dev.sluice.connectors.cdc;

import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;

/**
 * Gives the PostgreSQL driver the password of Debezium's connections, so that the password is not
 * part of Debezium's configuration: Debezium logs that configuration (at DEBUG) as it starts its
 * task. The driver creates this plugin for each connection with the connection's properties, in
 * which {@value #TOKEN} names a password registered for the duration of one load.
 */
public final class RegisteredPassword implements AuthenticationPlugin {
  /** The driver property naming the registered password. */
  static final String TOKEN = "sluicePasswordToken";

  private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  private final String token;

  /** Called by the driver with the connection's properties. */
  public RegisteredPassword(Properties properties) {
    this.token = properties.getProperty(TOKEN);
  }

  /** Registers a password; returns the token that names it. */
  static String register(String password) {
    String token = UUID.randomUUID().toString();
    PASSWORDS.put(token, password);
    return token;
  }

  static void unregister(String token) {
    PASSWORDS.remove(token);
  }

  @Override
  public char[] getPassword(AuthenticationRequestType type) {
    String password = token == null ? null : PASSWORDS.get(token);
    return password == null ? null : password.toCharArray();
  }
}
