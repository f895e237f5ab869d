package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.nullableMillis;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The freshness SLO breaches of assets, in a {@link RunStore}: when an asset was older than its
 * {@code warn_after} or {@code error_after}, and until when. A breach is keyed by its asset, level
 * and start, so that recording the same breach again (each evaluation derives it from the metric
 * history) only updates its end.
 */
public final class FreshnessBreaches {
  private final StateTransactions transactions;

  FreshnessBreaches(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /**
   * One breach.
   *
   * @param level {@code warn} or {@code error}
   * @param endedAt when a write made the asset fresh again, or null while it lasts
   * @param detail what was late and by how much, for people
   */
  public record Breach(
      String asset, String level, Instant startedAt, Instant endedAt, String detail) {
    public Breach {
      requireNonNull(asset, "asset is null");
      requireNonNull(level, "level is null");
      requireNonNull(startedAt, "startedAt is null");
      requireNonNull(detail, "detail is null");
    }
  }

  /** Records {@code breaches} (new ones inserted, known ones given their end), at {@code at}. */
  public void record(List<Breach> breaches, Instant at) {
    requireNonNull(at, "at is null");
    if (breaches.isEmpty()) {
      return;
    }
    transactions.write(
        "record freshness breaches",
        connection -> {
          for (Breach breach : breaches) {
            update(
                connection,
                "INSERT INTO sluice_freshness_breaches"
                    + " (asset, level, started_at, ended_at, recorded_at, detail)"
                    + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (asset, level, started_at)"
                    + " DO UPDATE SET ended_at = excluded.ended_at, detail = excluded.detail",
                breach.asset(),
                breach.level(),
                breach.startedAt(),
                nullableMillis(breach.endedAt()),
                at,
                breach.detail());
          }
          return null;
        });
  }

  /**
   * The breaches of an asset (or of every asset when null) that lasted into or began after {@code
   * since}, oldest first.
   */
  public List<Breach> since(String asset, Instant since) {
    requireNonNull(since, "since is null");
    List<Object> values = new ArrayList<>();
    values.add(since);
    if (asset != null) {
      values.add(asset);
    }
    return transactions.read(
        "read freshness breaches",
        connection ->
            list(
                connection,
                "SELECT asset, level, started_at, ended_at, detail FROM sluice_freshness_breaches"
                    + " WHERE (ended_at IS NULL OR ended_at >= ?)"
                    + (asset == null ? "" : " AND asset = ?")
                    + " ORDER BY started_at, asset, level",
                row ->
                    new Breach(
                        row.getString("asset"),
                        row.getString("level"),
                        Instant.ofEpochMilli(row.getLong("started_at")),
                        instantOrNull(row, "ended_at"),
                        row.getString("detail")),
                values.toArray()));
  }
}
