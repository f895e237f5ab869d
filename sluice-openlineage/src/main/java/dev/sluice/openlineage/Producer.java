package dev.sluice.openlineage;

/** The {@code producer} of Sluice's events: which program, at which version, made them. */
final class Producer {
  /**
   * {@code https://sluice.dev/openlineage/VERSION}: the version is the jar's, {@code dev} in a
   * build.
   */
  static final java.net.URI ID = java.net.URI.create("https://sluice.dev/openlineage/" + version());

  private Producer() {}

  private static String version() {
    String version = Producer.class.getPackage().getImplementationVersion();
    return version == null || version.isBlank() ? "dev" : version;
  }
}
