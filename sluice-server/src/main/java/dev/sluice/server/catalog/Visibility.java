package dev.sluice.server.catalog;

import dev.sluice.core.project.Asset;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.governance.Privilege;

/** Which assets a principal may see in the catalog, the API and the UI. */
public final class Visibility {
  private Visibility() {}

  /** Whether a principal may see an asset: the owner, or a holder of a read grant on its table. */
  public static boolean readable(AccessPolicy policy, Principal principal, Asset asset) {
    return principal.owner()
        || !policy.grantsOf(principal, asset.tableName(), Privilege.READ).isEmpty();
  }
}
