package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.time.Duration;
import java.util.List;

/**
 * What {@code maintenance:} says, in {@code sluice.yaml} for every table or on one source table or
 * model; a table's own settings override the project's, key by key. A null field is not set here.
 *
 * @param targetFileSize the size in bytes compaction writes data files at ({@code target_file_size:
 *     128MB}); files under three quarters of it are small
 * @param minInputFiles how many small files a partition must have before compaction rewrites them
 *     ({@code min_input_files: 5})
 * @param keepSnapshots how long snapshots are kept for time travel ({@code keep_snapshots: 7d})
 * @param minSnapshots how many of the newest snapshots are kept whatever their age ({@code
 *     min_snapshots: 5})
 * @param orphanFilesOlderThan the safety window: files no snapshot references are removed only once
 *     older than this ({@code orphan_files_older_than: 3d})
 * @param sortBy the columns {@code sluice maintain --sort} orders each partition's rows by ({@code
 *     sort_by: [customer_id, order_date]})
 * @param clusterBy the columns {@code --sort} orders each partition's rows by in Z-order, so that a
 *     filter on any of them prunes files ({@code cluster_by: [x, y]}); not with {@code sort_by}
 * @param schedule when {@code sluice serve} runs every maintenance operation (retention first) on
 *     the table ({@code schedule: "0 3 * * *"}, read in {@code time_zone:}, UTC by default); missed
 *     ticks run once
 * @param location where it is written, for messages
 */
public record MaintenanceDef(
    Long targetFileSize,
    Integer minInputFiles,
    Duration keepSnapshots,
    Integer minSnapshots,
    Duration orphanFilesOlderThan,
    List<String> sortBy,
    List<String> clusterBy,
    ScheduleDef schedule,
    Location location) {
  public MaintenanceDef {
    sortBy = sortBy == null ? null : List.copyOf(sortBy);
    clusterBy = clusterBy == null ? null : List.copyOf(clusterBy);
    requireNonNull(location, "location is null");
  }

  /** These settings, with {@code base}'s where these set nothing. */
  public MaintenanceDef over(MaintenanceDef base) {
    if (base == null) {
      return this;
    }
    return new MaintenanceDef(
        targetFileSize != null ? targetFileSize : base.targetFileSize,
        minInputFiles != null ? minInputFiles : base.minInputFiles,
        keepSnapshots != null ? keepSnapshots : base.keepSnapshots,
        minSnapshots != null ? minSnapshots : base.minSnapshots,
        orphanFilesOlderThan != null ? orphanFilesOlderThan : base.orphanFilesOlderThan,
        sortBy != null || clusterBy != null ? sortBy : base.sortBy,
        sortBy != null || clusterBy != null ? clusterBy : base.clusterBy,
        schedule != null ? schedule : base.schedule,
        location);
  }
}
