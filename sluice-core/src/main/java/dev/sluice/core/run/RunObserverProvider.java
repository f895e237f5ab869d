package dev.sluice.core.run;

import dev.sluice.core.Workspace;
import java.util.Optional;

/**
 * Makes a {@link RunObserver} for a workspace when its project asks for one (for example when
 * sluice.yaml has an {@code openlineage:} block). Found with {@link java.util.ServiceLoader}: a
 * module on the class path declares its provider in {@code
 * META-INF/services/dev.sluice.core.run.RunObserverProvider}.
 */
public interface RunObserverProvider {
  /** The observer for this workspace, or empty when its project does not ask for one. */
  Optional<RunObserver> open(Workspace workspace);
}
