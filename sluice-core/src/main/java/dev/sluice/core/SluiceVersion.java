package dev.sluice.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of Sluice this process runs, as the build recorded it. */
public final class SluiceVersion {
  private static final String CURRENT = read();

  private SluiceVersion() {}

  /** This process's Sluice version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String current() {
    return CURRENT;
  }

  private static String read() {
    try (InputStream in = SluiceVersion.class.getResourceAsStream("sluice-version.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "sluice-version.properties is missing from sluice-core: a broken build");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
