package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/**
 * Spending that buys nothing, found in the period.
 *
 * @param kind {@code unread} (a table nobody read), {@code rebuilt_unread} (built far more often
 *     than read) or {@code old_snapshots} (storage held only by snapshots that expiry may remove)
 * @param asset the asset (or table) concerned
 * @param cost what it cost in the period
 * @param detail the figures behind it, and what to do
 */
public record Waste(String kind, String asset, BigDecimal cost, String detail) {
  public Waste {
    requireNonNull(kind, "kind is null");
    requireNonNull(asset, "asset is null");
    requireNonNull(cost, "cost is null");
    requireNonNull(detail, "detail is null");
  }
}
