package dev.sluice.openlineage;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.OpenLineageConfig;
import dev.sluice.core.run.RunObserver;
import dev.sluice.core.run.RunObserverProvider;
import java.time.Clock;
import java.util.Optional;

/**
 * Sends OpenLineage events for the runs of a project whose sluice.yaml has an {@code openlineage:}
 * block; does nothing for the others.
 */
public final class OpenLineageObserverProvider implements RunObserverProvider {
  @Override
  public Optional<RunObserver> open(Workspace workspace) {
    OpenLineageConfig config = workspace.project().config().openLineage();
    if (config == null) {
      return Optional.empty();
    }
    return Optional.of(
        new OpenLineageObserver(workspace, config, Transports.open(config), Clock.systemUTC()));
  }
}
