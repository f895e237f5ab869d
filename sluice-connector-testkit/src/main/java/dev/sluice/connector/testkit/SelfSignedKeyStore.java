package dev.sluice.connector.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * A PKCS12 key store with a self-signed certificate for 127.0.0.1, made by the JDK's own {@code
 * keytool}, for tests of servers that serve TLS.
 */
public final class SelfSignedKeyStore {
  private SelfSignedKeyStore() {}

  /**
   * Writes a key store with one RSA key pair (alias {@code sluice}, {@code CN=127.0.0.1}, subject
   * alternative name {@code ip:127.0.0.1}, valid two days) to {@code file}.
   */
  public static Path create(Path file, String password) throws IOException, InterruptedException {
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "sluice",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                password)
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IOException("keytool could not make a key store: " + output);
    }
    return file;
  }

  /** The key store's certificates, for a client to trust. */
  public static KeyStore load(Path file, String password)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
