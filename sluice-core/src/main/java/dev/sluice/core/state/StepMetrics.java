package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.timing.StepPhase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one step moved: rows and bytes read and written, rows rejected, and the Iceberg snapshot it
 * committed.
 *
 * @param rowsIn rows read, never negative
 * @param rowsOut rows written, never negative
 * @param bytesIn bytes read, never negative
 * @param bytesOut bytes written, never negative
 * @param rejectedRows rows rejected (for example by a contract), never negative
 * @param snapshotId the Iceberg snapshot the step committed, or null when it committed none
 * @param detail free text for people, such as "appended 2 new files", or null
 * @param phases where the step's wall time went, by phase (see {@link
 *     dev.sluice.api.timing.PhaseTimer}), up to its last record in the run store; empty for a step
 *     that was not timed (skipped, recorded before phases were kept)
 */
public record StepMetrics(
    long rowsIn,
    long rowsOut,
    long bytesIn,
    long bytesOut,
    long rejectedRows,
    Long snapshotId,
    String detail,
    Map<StepPhase, Duration> phases) {

  private static final StepMetrics EMPTY = new StepMetrics(0, 0, 0, 0, 0, null, null);
  private static final ObjectMapper JSON = new ObjectMapper();

  public StepMetrics {
    requireNotNegative(rowsIn, "rowsIn");
    requireNotNegative(rowsOut, "rowsOut");
    requireNotNegative(bytesIn, "bytesIn");
    requireNotNegative(bytesOut, "bytesOut");
    requireNotNegative(rejectedRows, "rejectedRows");
    requireNonNull(phases, "phases is null");
    phases = phases.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(phases));
  }

  /** Metrics without a breakdown by phase. */
  public StepMetrics(
      long rowsIn,
      long rowsOut,
      long bytesIn,
      long bytesOut,
      long rejectedRows,
      Long snapshotId,
      String detail) {
    this(rowsIn, rowsOut, bytesIn, bytesOut, rejectedRows, snapshotId, detail, Map.of());
  }

  /**
   * The phases in milliseconds, in the order of {@link StepPhase}, keyed as the JSON of {@code
   * sluice runs show} and the API give them: {@code engine}, {@code dataFile}, ..., {@code
   * runStore}, {@code other}. Empty when the step was not timed.
   */
  public Map<String, Double> phasesMillis() {
    Map<String, Double> millis = new LinkedHashMap<>();
    phases.forEach((phase, time) -> millis.put(jsonName(phase), time.toNanos() / 1e6));
    return millis;
  }

  /**
   * The phases the step spent time in, largest first, for people: {@code "engine 7.23 ms, manifest
   * 4.71 ms, catalog 2.51 ms"}; empty when the step was not timed.
   */
  public String phasesSummary() {
    List<String> parts = new ArrayList<>();
    phases.entrySet().stream()
        .filter(entry -> !entry.getValue().isZero())
        .sorted(Map.Entry.<StepPhase, Duration>comparingByValue().reversed())
        .forEach(
            entry ->
                parts.add(entry.getKey().label() + " " + formatMillis(entry.getValue()) + " ms"));
    return String.join(", ", parts);
  }

  /**
   * A phase's time in milliseconds with about three significant digits: {@code 0.59}, {@code 14.7},
   * {@code 175}, {@code 1,204}.
   */
  public static String formatMillis(Duration time) {
    double millis = time.toNanos() / 1e6;
    String pattern = millis < 10 ? "%.2f" : millis < 100 ? "%.1f" : "%,.0f";
    return String.format(Locale.ROOT, pattern, millis);
  }

  /** {@code DATA_FILE}: {@code dataFile}. */
  private static String jsonName(StepPhase phase) {
    StringBuilder name = new StringBuilder();
    for (String word : phase.name().toLowerCase(Locale.ROOT).split("_", -1)) {
      name.append(
          name.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return name.toString();
  }

  /** The phases as the state database stores them: JSON of microseconds by phase, or null. */
  String phasesJson() {
    if (phases.isEmpty()) {
      return null;
    }
    ObjectNode json = JSON.createObjectNode();
    phases.forEach((phase, time) -> json.put(phase.name(), time.toNanos() / 1_000));
    return json.toString();
  }

  /**
   * The phases stored by {@link #phasesJson}; a phase this build does not know (a newer Sluice's)
   * is left out, and so is a breakdown that is not JSON.
   */
  static Map<StepPhase, Duration> parsePhases(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    Map<StepPhase, Duration> phases = new EnumMap<>(StepPhase.class);
    try {
      JsonNode node = JSON.readTree(json);
      for (StepPhase phase : StepPhase.values()) {
        JsonNode micros = node.get(phase.name());
        if (micros != null && micros.canConvertToLong()) {
          phases.put(phase, Duration.ofNanos(micros.asLong() * 1_000));
        }
      }
    } catch (JsonProcessingException e) {
      return Map.of();
    }
    return phases;
  }

  /** Metrics of a step that moved nothing: all counts zero, no snapshot, no detail. */
  public static StepMetrics empty() {
    return EMPTY;
  }

  private static void requireNotNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(
          String.format("Step metric %s must not be negative: %d", name, value));
    }
  }
}
