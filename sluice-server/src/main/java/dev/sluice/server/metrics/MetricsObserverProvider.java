package dev.sluice.server.metrics;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunObserver;
import dev.sluice.core.run.RunObserverProvider;
import java.util.Optional;

/**
 * Counts every run of a workspace in the metrics of the server serving its project in this process
 * ({@link ServerMetrics}); with no server (the command line), the observer does nothing.
 */
public final class MetricsObserverProvider implements RunObserverProvider {
  @Override
  public Optional<RunObserver> open(Workspace workspace) {
    return Optional.of(new MetricsObserver(workspace));
  }
}
