package dev.sluice.openlineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.OpenLineageConfig;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunObserver;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.Transport;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a workspace's runs as OpenLineage run events: for each run a START and a COMPLETE, FAIL or
 * ABORT of the run's job (named after the project), and for each step a START and a COMPLETE or
 * FAIL of the step's job (named after the asset) whose parent is the run. See {@link StepEvents}
 * for what the events hold.
 */
final class OpenLineageObserver implements RunObserver {
  private static final Logger LOG = LoggerFactory.getLogger(OpenLineageObserver.class);

  private final Workspace workspace;
  private final OpenLineageConfig config;
  private final OpenLineageClient client;
  private final Clock clock;
  private final Datasets datasets;

  OpenLineageObserver(
      Workspace workspace, OpenLineageConfig config, Transport transport, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.config = requireNonNull(config, "config is null");
    this.client = new OpenLineageClient(requireNonNull(transport, "transport is null"));
    this.clock = requireNonNull(clock, "clock is null");
    this.datasets = new Datasets(workspace);
  }

  @Override
  public RunListener runStarted(String runId, String command, Instant startedAt) {
    return new StepEvents(
        new OpenLineage(Producer.ID),
        this::emit,
        workspace.project(),
        datasets,
        config.namespace(),
        runId,
        command,
        clock);
  }

  /** Sends one event; a transport that fails is logged, never thrown into the run. */
  private void emit(OpenLineage.RunEvent event) {
    try {
      client.emit(event);
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot send an OpenLineage event ({} of {}) through {}: {}",
          event.getEventType(),
          event.getJob().getName(),
          config.transport(),
          e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (Exception e) {
      LOG.warn("Cannot close the OpenLineage transport {}: {}", config.transport(), e.toString());
    }
  }

  @Override
  public String toString() {
    return "OpenLineage(" + config.transport() + ")";
  }
}
