package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a project sends its OpenLineage events ({@code openlineage:} in sluice.yaml): one START and
 * one COMPLETE or FAIL event per step, and per run.
 *
 * @param namespace the jobs' namespace, the project's name unless set
 * @param transport where the events go
 * @param location where the block is declared, for messages
 */
public record OpenLineageConfig(String namespace, Transport transport, Location location) {
  public OpenLineageConfig {
    requireNonNull(namespace, "namespace is null");
    requireNonNull(transport, "transport is null");
    requireNonNull(location, "location is null");
  }

  /** How events leave the process. */
  public sealed interface Transport permits Http, File, Console {}

  /**
   * POSTs each event as JSON to {@code url} + {@code endpoint} (Marquez's {@code /api/v1/lineage}
   * by default), with an API key as a bearer token when given.
   *
   * @param apiKey the resolved key (given by reference in sluice.yaml), or null
   */
  public record Http(URI url, String endpoint, String apiKey, Duration timeout)
      implements Transport {
    public Http {
      requireNonNull(url, "url is null");
      requireNonNull(endpoint, "endpoint is null");
      requireNonNull(timeout, "timeout is null");
    }

    /** Never shows the key. */
    @Override
    public String toString() {
      return "Http[url=" + url + ", endpoint=" + endpoint + ", timeout=" + timeout + "]";
    }
  }

  /** Appends each event as one line of JSON to a file. */
  public record File(Path path) implements Transport {
    public File {
      requireNonNull(path, "path is null");
    }
  }

  /** Writes each event as one line of JSON to standard error. */
  public record Console() implements Transport {}
}
