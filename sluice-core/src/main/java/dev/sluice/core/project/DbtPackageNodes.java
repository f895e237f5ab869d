package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The models and seeds of installed packages, which dbt loads into the one graph with the project's
 * own: each one's package (its unique id is {@code model.<package>.<name>}) and its file as dbt
 * gives it, relative to the package's directory ({@code models/staging/stg_nodes.sql}). The
 * project's own nodes are not listed.
 */
final class DbtPackageNodes {
  static final DbtPackageNodes NONE = new DbtPackageNodes(Map.of());

  /**
   * Where a package's node comes from.
   *
   * @param packageName the package's name
   * @param originalFile its file, relative to the package's directory
   * @param fqn dbt's fqn: the package, the directories within its resource path, the name
   */
  record Origin(String packageName, String originalFile, List<String> fqn) {
    Origin {
      requireNonNull(packageName, "packageName is null");
      requireNonNull(originalFile, "originalFile is null");
      fqn = List.copyOf(fqn);
    }
  }

  private final Map<String, Origin> origins;

  DbtPackageNodes(Map<String, Origin> origins) {
    this.origins = Copies.orderedMap(origins);
  }

  /** The package of an asset, or {@code project} for the project's own. */
  String packageOf(String asset, String project) {
    Origin origin = origins.get(asset);
    return origin == null ? project : origin.packageName();
  }

  /** An asset's file as dbt gives it: within its package, or {@code file} for the project's own. */
  String originalFile(String asset, String file) {
    Origin origin = origins.get(asset);
    return origin == null ? file : origin.originalFile();
  }

  /** Where a package's asset comes from, or null for the project's own. */
  Origin origin(String asset) {
    return origins.get(asset);
  }

  /** The assets of installed packages, by name. */
  Map<String, Origin> all() {
    return origins;
  }
}
