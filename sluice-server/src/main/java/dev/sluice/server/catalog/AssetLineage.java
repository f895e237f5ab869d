package dev.sluice.server.catalog;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.lineage.TracedColumn;
import dev.sluice.core.project.Project;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.lineage.ColumnRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An asset's lineage as one principal may see it: the assets upstream and downstream, and each
 * column's upstream and downstream columns, nearest first. Assets the principal may not read are
 * left out and counted ({@code hidden}): their names and columns are metadata a grant protects.
 *
 * @param hiddenUpstream how many upstream assets were left out
 * @param hiddenDownstream how many downstream assets were left out
 */
public record AssetLineage(
    String asset,
    List<String> upstream,
    List<String> downstream,
    int hiddenUpstream,
    int hiddenDownstream,
    List<ColumnLineage> columns) {
  /**
   * One column's lineage.
   *
   * @param hidden how many columns of assets the principal may not read were left out
   */
  public record ColumnLineage(
      String column, List<TracedColumn> upstream, List<TracedColumn> downstream, int hidden) {
    public ColumnLineage {
      requireNonNull(column, "column is null");
      upstream = List.copyOf(upstream);
      downstream = List.copyOf(downstream);
    }
  }

  public AssetLineage {
    requireNonNull(asset, "asset is null");
    upstream = List.copyOf(upstream);
    downstream = List.copyOf(downstream);
    columns = List.copyOf(columns);
  }

  /** The lineage of {@code entry} that {@code principal} may see. */
  public static AssetLineage of(
      AssetCatalog catalog, AssetCatalog.Entry entry, AccessPolicy policy, Principal principal) {
    Project project = catalog.project();
    Predicate<String> visible =
        name ->
            project
                    .findAsset(name)
                    .map(found -> Visibility.readable(policy, principal, found))
                    .orElse(false)
                || principal.owner();
    String name = entry.name();
    List<String> upstream = new ArrayList<>();
    List<String> downstream = new ArrayList<>();
    int hiddenUp = split(project.graph().upstream(name), visible, upstream);
    int hiddenDown = split(project.graph().downstream(name), visible, downstream);
    List<ColumnLineage> columns = new ArrayList<>();
    for (AssetCatalog.Column column : entry.columns()) {
      ColumnRef ref = new ColumnRef(entry.asset().tableName(), column.name());
      List<TracedColumn> up = new ArrayList<>();
      List<TracedColumn> down = new ArrayList<>();
      int hidden = 0;
      for (TracedColumn traced : catalog.lineage().upstream(ref)) {
        hidden += keep(traced, visible, up);
      }
      for (TracedColumn traced : catalog.lineage().downstream(ref)) {
        hidden += keep(traced, visible, down);
      }
      columns.add(new ColumnLineage(column.name(), up, down, hidden));
    }
    return new AssetLineage(name, upstream, downstream, hiddenUp, hiddenDown, columns);
  }

  private static int split(
      java.util.Collection<String> names, Predicate<String> visible, List<String> kept) {
    int hidden = 0;
    for (String each : names.stream().sorted().toList()) {
      if (visible.test(each)) {
        kept.add(each);
      } else {
        hidden++;
      }
    }
    return hidden;
  }

  private static int keep(TracedColumn traced, Predicate<String> visible, List<TracedColumn> kept) {
    if (visible.test(traced.asset())) {
      kept.add(traced);
      return 0;
    }
    return 1;
  }
}
