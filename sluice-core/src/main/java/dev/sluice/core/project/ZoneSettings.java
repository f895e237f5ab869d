package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.time.Duration;

/**
 * What {@code zones:} in sluice.yaml sets for every table of a zone.
 *
 * @param retention the rows' retention of the zone's tables that have its column and no retention
 *     of their own, or null
 * @param keepSnapshots how long snapshots of the zone's tables are kept for time travel ({@code
 *     keep_snapshots: 7d}); {@code sluice maintain} expires older ones; null keeps them all
 * @param location where the zone's settings are written
 */
public record ZoneSettings(RetentionDef retention, Duration keepSnapshots, Location location) {}
