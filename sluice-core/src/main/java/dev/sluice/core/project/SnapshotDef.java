package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtConfigTree.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a snapshot model keeps history (a type-2 slowly changing dimension), as dbt's snapshots do:
 * each run compares the query's rows with the table's current rows by {@code unique_key}; a changed
 * row closes the current version ({@code dbt_valid_to}) and adds a new one ({@code dbt_valid_from},
 * {@code dbt_valid_to} null, {@code dbt_scd_id}, {@code dbt_updated_at}). A change is a later
 * {@code updated_at} ({@code timestamp} strategy) or a different value in one of {@code check_cols}
 * ({@code check} strategy). Rows gone from the query are kept ({@code hard_deletes: ignore}),
 * closed ({@code invalidate}) or closed with a deletion record ({@code new_record}).
 *
 * @param strategy how a change is found
 * @param uniqueKey the columns that identify a row
 * @param updatedAt the column of the row's last change (timestamp strategy; for check, optional:
 *     else the snapshot's time)
 * @param checkColumns the columns compared (check strategy); empty with {@code check_cols: all}
 * @param allColumns whether {@code check_cols: all}
 * @param hardDeletes what happens to a row the query no longer returns
 * @param columns the names of the meta columns
 * @param location where the snapshot is declared
 * @param validToCurrent dbt's {@code dbt_valid_to_current}: the SQL expression current versions
 *     have as {@code dbt_valid_to} instead of null (e.g. {@code "'9999-12-31'::timestamp"}), or
 *     null
 */
public record SnapshotDef(
    Strategy strategy,
    List<String> uniqueKey,
    String updatedAt,
    List<String> checkColumns,
    boolean allColumns,
    HardDeletes hardDeletes,
    MetaColumns columns,
    Location location,
    String validToCurrent) {
  /** The keys of a snapshot's configuration, besides {@code unique_key}. */
  public static final Set<String> KEYS =
      Set.of(
          "dbt_valid_to_current",
          "strategy",
          "updated_at",
          "check_cols",
          "hard_deletes",
          "invalidate_hard_deletes",
          "snapshot_meta_column_names");

  /** How a snapshot finds changed rows. */
  public enum Strategy {
    /** A later {@code updated_at} than the current version's {@code dbt_valid_from}. */
    TIMESTAMP,
    /** A different value in one of {@code check_cols}. */
    CHECK
  }

  /** What happens to a row the snapshot's query no longer returns. */
  public enum HardDeletes {
    /** It stays current. */
    IGNORE,
    /** Its current version is closed at the snapshot's time. */
    INVALIDATE,
    /** Closed, and a version marked {@code dbt_is_deleted = 'True'} is added. */
    NEW_RECORD
  }

  /**
   * The names of the meta columns ({@code snapshot_meta_column_names}).
   *
   * @param isDeleted only with {@code hard_deletes: new_record}
   */
  public record MetaColumns(
      String validFrom, String validTo, String scdId, String updatedAt, String isDeleted) {
    /** dbt's names. */
    public static final MetaColumns DEFAULT =
        new MetaColumns(
            "dbt_valid_from", "dbt_valid_to", "dbt_scd_id", "dbt_updated_at", "dbt_is_deleted");

    public MetaColumns {
      requireNonNull(validFrom, "validFrom is null");
      requireNonNull(validTo, "validTo is null");
      requireNonNull(scdId, "scdId is null");
      requireNonNull(updatedAt, "updatedAt is null");
      requireNonNull(isDeleted, "isDeleted is null");
    }
  }

  public SnapshotDef {
    requireNonNull(strategy, "strategy is null");
    uniqueKey = List.copyOf(uniqueKey);
    checkColumns = List.copyOf(checkColumns);
    requireNonNull(hardDeletes, "hardDeletes is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(location, "location is null");
  }

  /**
   * Reads a snapshot's configuration; what is missing or wrong is a problem at its line.
   *
   * @param settings {@code strategy}, {@code updated_at}, ... with their lines
   * @param uniqueKey the {@code unique_key} columns
   * @param what the snapshot, for messages: {@code snapshot 'orders_snapshot'}
   * @param location where the snapshot is declared
   */
  static Optional<SnapshotDef> parse(
      Map<String, Setting> settings,
      List<String> uniqueKey,
      String what,
      Location location,
      Problems problems) {
    boolean valid = true;
    Setting strategySetting = settings.get("strategy");
    Strategy strategy = null;
    if (strategySetting == null || strategySetting.value() == null) {
      problems.add(
          location,
          "The " + what + " has no strategy",
          "set strategy: timestamp (with updated_at: <column>) or strategy: check (with"
              + " check_cols: all or a list)");
      valid = false;
    } else {
      String text = String.valueOf(strategySetting.value()).toLowerCase(Locale.ROOT);
      for (Strategy candidate : Strategy.values()) {
        if (candidate.name().equalsIgnoreCase(text)) {
          strategy = candidate;
        }
      }
      if (strategy == null) {
        problems.add(
            strategySetting.location(),
            "Unknown snapshot strategy '" + strategySetting.value() + "' of the " + what,
            Suggestions.hint(text, List.of("timestamp", "check"), "the strategies"));
        valid = false;
      }
    }
    if (uniqueKey.isEmpty()) {
      problems.add(
          location,
          "The " + what + " has no unique_key",
          "set unique_key: <column> (or a list of columns): the columns that identify a row");
      valid = false;
    }
    String updatedAt = text(settings.get("updated_at"));
    if (strategy == Strategy.TIMESTAMP && updatedAt == null) {
      problems.add(
          strategySetting.location(),
          "The timestamp strategy of the " + what + " needs updated_at",
          "set updated_at: <the column of each row's last change>, or use strategy: check");
      valid = false;
    }
    List<String> checkColumns = new ArrayList<>();
    boolean all = false;
    Setting checkCols = settings.get("check_cols");
    if (strategy == Strategy.CHECK) {
      if (checkCols == null || checkCols.value() == null) {
        problems.add(
            strategySetting.location(),
            "The check strategy of the " + what + " needs check_cols",
            "set check_cols: all, or a list of the columns to compare");
        valid = false;
      } else if (checkCols.value() instanceof String text && text.equalsIgnoreCase("all")) {
        all = true;
      } else if (checkCols.value() instanceof List<?> list
          && !list.isEmpty()
          && list.stream().allMatch(String.class::isInstance)) {
        list.forEach(column -> checkColumns.add((String) column));
      } else {
        problems.add(
            checkCols.location(),
            "check_cols of the "
                + what
                + " must be 'all' or a list of columns, got '"
                + checkCols.value()
                + "'",
            "write check_cols: all, or check_cols: [status, amount]");
        valid = false;
      }
    }
    HardDeletes hardDeletes = HardDeletes.IGNORE;
    Setting invalidate = settings.get("invalidate_hard_deletes");
    if (invalidate != null && Boolean.TRUE.equals(invalidate.value())) {
      hardDeletes = HardDeletes.INVALIDATE;
    }
    Setting hardDeletesSetting = settings.get("hard_deletes");
    if (hardDeletesSetting != null && hardDeletesSetting.value() != null) {
      String text = String.valueOf(hardDeletesSetting.value()).toLowerCase(Locale.ROOT);
      Optional<HardDeletes> found =
          java.util.Arrays.stream(HardDeletes.values())
              .filter(value -> value.name().equalsIgnoreCase(text))
              .findFirst();
      if (found.isEmpty()) {
        problems.add(
            hardDeletesSetting.location(),
            "Unknown hard_deletes '" + hardDeletesSetting.value() + "' of the " + what,
            Suggestions.hint(
                text, List.of("ignore", "invalidate", "new_record"), "the values of hard_deletes"));
        valid = false;
      } else {
        hardDeletes = found.get();
      }
    }
    MetaColumns columns = MetaColumns.DEFAULT;
    Setting names = settings.get("snapshot_meta_column_names");
    if (names != null && names.value() instanceof Map<?, ?> map) {
      Map<String, String> given = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        String value = entry.getValue() == null ? null : String.valueOf(entry.getValue());
        if (!Set.of(
                "dbt_valid_from", "dbt_valid_to", "dbt_scd_id", "dbt_updated_at", "dbt_is_deleted")
            .contains(key)) {
          problems.add(
              names.location(),
              "Unknown meta column '" + key + "' in snapshot_meta_column_names of the " + what,
              "the meta columns are dbt_valid_from, dbt_valid_to, dbt_scd_id, dbt_updated_at"
                  + " and dbt_is_deleted");
          valid = false;
        } else if (value == null || !TableName.isIdentifier(value)) {
          problems.add(
              names.location(),
              "The name of meta column '"
                  + key
                  + "' of the "
                  + what
                  + " is not a column name: '"
                  + value
                  + "'",
              "use letters, digits and '_'");
          valid = false;
        } else {
          given.put(key, value);
        }
      }
      columns =
          new MetaColumns(
              given.getOrDefault("dbt_valid_from", MetaColumns.DEFAULT.validFrom()),
              given.getOrDefault("dbt_valid_to", MetaColumns.DEFAULT.validTo()),
              given.getOrDefault("dbt_scd_id", MetaColumns.DEFAULT.scdId()),
              given.getOrDefault("dbt_updated_at", MetaColumns.DEFAULT.updatedAt()),
              given.getOrDefault("dbt_is_deleted", MetaColumns.DEFAULT.isDeleted()));
    } else if (names != null && names.value() != null) {
      problems.add(
          names.location(),
          "snapshot_meta_column_names of the " + what + " must be a mapping",
          "write e.g. snapshot_meta_column_names: {dbt_valid_from: start_date}");
      valid = false;
    }
    if (!valid) {
      return Optional.empty();
    }
    String validToCurrent = text(settings.get("dbt_valid_to_current"));
    return Optional.of(
        new SnapshotDef(
            strategy,
            uniqueKey,
            updatedAt,
            checkColumns,
            all,
            hardDeletes,
            columns,
            location,
            validToCurrent == null || validToCurrent.isBlank() ? null : validToCurrent.strip()));
  }

  private static String text(Setting setting) {
    return setting == null || setting.value() == null ? null : String.valueOf(setting.value());
  }
}
