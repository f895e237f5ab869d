package dev.sluice.openlineage;

import dev.sluice.core.project.OpenLineageConfig;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The openlineage-java transport that {@code openlineage.transport} of sluice.yaml names. */
final class Transports {
  private Transports() {}

  static Transport open(OpenLineageConfig config) {
    OpenLineageConfig.Transport transport = config.transport();
    if (transport instanceof OpenLineageConfig.Http http) {
      return http(http);
    }
    if (transport instanceof OpenLineageConfig.File file) {
      return file(file.path());
    }
    return new StandardError(System.err);
  }

  private static Transport http(OpenLineageConfig.Http http) {
    HttpConfig config = new HttpConfig();
    config.setUrl(http.url());
    config.setEndpoint(http.endpoint());
    config.setTimeoutInMillis(Math.toIntExact(http.timeout().toMillis()));
    if (http.apiKey() != null) {
      ApiKeyTokenProvider token = new ApiKeyTokenProvider();
      token.setApiKey(http.apiKey());
      config.setAuth(token);
    }
    return new HttpTransport(config);
  }

  private static Transport file(Path path) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the directory of the OpenLineage file " + path + ": " + e.getMessage(), e);
    }
    return new FileTransport(new FileConfig(path.toString()));
  }

  /** One event per line of JSON on standard error, where a command's messages go. */
  static final class StandardError extends Transport {
    private final PrintStream out;

    StandardError(PrintStream out) {
      this.out = out;
    }

    /** Standard error stays open. */
    @Override
    public void close() {
      out.flush();
    }

    @Override
    public void emit(OpenLineage.RunEvent event) {
      out.println(OpenLineageClientUtils.toJson(event));
    }

    @Override
    public void emit(OpenLineage.DatasetEvent event) {
      out.println(OpenLineageClientUtils.toJson(event));
    }

    @Override
    public void emit(OpenLineage.JobEvent event) {
      out.println(OpenLineageClientUtils.toJson(event));
    }
  }
}
