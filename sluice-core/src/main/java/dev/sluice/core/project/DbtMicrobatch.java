package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.DbtConfigTree.Setting;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * dbt 1.9's {@code incremental_strategy: microbatch}, mapped onto Sluice's time partitions: a
 * microbatch model is a partitioned model whose time dimension is its {@code event_time} of grain
 * {@code batch_size} from {@code begin}, in UTC, the batch in progress included ({@link
 * PartitionsDef#current()}), so each batch is one partition that a step replaces in one commit.
 * While a batch is rendered, each {@code ref()} or {@code source()} of an input with an {@code
 * event_time} of its own reads only the batch's window, as dbt wraps it; {@code model.batch} gives
 * the batch's {@code id}, {@code event_time_start} and {@code event_time_end}.
 *
 * @param models the microbatch models: whether {@code --full-refresh} rebuilds each ({@code
 *     full_refresh: false} keeps it), by name
 * @param eventTimes the {@code event_time} column of each model and seed that has one, by name, and
 *     of each source table that has one, by {@code source.table}
 */
public record DbtMicrobatch(Map<String, Boolean> models, Map<String, String> eventTimes) {
  /** No microbatch models, no event times. */
  public static final DbtMicrobatch NONE = new DbtMicrobatch(Map.of(), Map.of());

  private static final List<String> BATCH_SIZES = List.of("hour", "day", "month", "year");

  public DbtMicrobatch {
    models = Copies.orderedMap(models);
    eventTimes = Copies.orderedMap(eventTimes);
  }

  /** Whether {@code model} is a microbatch model. */
  public boolean isMicrobatch(String model) {
    return models.containsKey(model);
  }

  /**
   * Whether {@code --full-refresh} rebuilds the microbatch model (not {@code full_refresh: false}).
   */
  public boolean fullRefreshes(String model) {
    return models.getOrDefault(model, true);
  }

  /** The event time column of a model or seed read with {@code ref()}. */
  Optional<String> refEventTime(String name) {
    return Optional.ofNullable(eventTimes.get(name));
  }

  /** The event time column of a source table. */
  Optional<String> sourceEventTime(String source, String table) {
    return Optional.ofNullable(eventTimes.get(source + "." + table));
  }

  /**
   * The partitions of a microbatch model from its settings (tree, properties and {@code config()}
   * merged), or empty with the problems (each at the line of the setting, or of the strategy when a
   * setting is missing) when they do not describe batches.
   */
  static Optional<PartitionsDef> partitions(
      String model, Setting strategy, Map<String, Setting> settings, Problems problems) {
    int before = problems.size();
    String eventTime = text(settings.get("event_time"));
    if (eventTime == null) {
      problems.add(
          strategy.location(),
          "Microbatch model '" + model + "' has no event_time",
          "name the column that holds each row's time: config(event_time='created_at'), as dbt"
              + " requires");
    } else if (!dev.sluice.api.TableName.isIdentifier(eventTime)) {
      problems.add(
          settings.get("event_time").location(),
          "event_time '" + eventTime + "' of model '" + model + "' is not a column name",
          "name one column of the model's result, e.g. event_time='created_at'");
    }
    TimeGrain grain = null;
    Setting batchSize = settings.get("batch_size");
    String size = text(batchSize);
    if (size == null) {
      problems.add(
          strategy.location(),
          "Microbatch model '" + model + "' has no batch_size",
          "add batch_size: one of hour, day, month, year (e.g. config(batch_size='day'))");
    } else if (!BATCH_SIZES.contains(size.toLowerCase(Locale.ROOT))) {
      problems.add(
          batchSize.location(),
          "batch_size '" + size + "' of model '" + model + "' is not hour, day, month or year",
          Suggestions.hint(size.toLowerCase(Locale.ROOT), BATCH_SIZES, "dbt's batch sizes are"));
    } else {
      grain = TimeGrain.fromName(size).orElseThrow();
    }
    LocalDateTime begin = null;
    Setting beginSetting = settings.get("begin");
    String beginText = text(beginSetting);
    if (beginText == null) {
      problems.add(
          strategy.location(),
          "Microbatch model '" + model + "' has no begin",
          "add the time its first batch starts, e.g. config(begin='2024-01-01'), as dbt requires");
    } else {
      begin = parseTime(beginText);
      if (begin == null) {
        problems.add(
            beginSetting.location(),
            "begin '" + beginText + "' of model '" + model + "' is not a date or a time",
            "write it as 2024-01-01 or '2024-01-01 00:00:00'");
      }
    }
    int lookback = 1;
    Setting lookbackSetting = settings.get("lookback");
    if (lookbackSetting != null) {
      if (lookbackSetting.value() instanceof Integer number && number >= 0) {
        lookback = number;
      } else {
        problems.add(
            lookbackSetting.location(),
            "lookback of model '"
                + model
                + "' must be a whole number of batches (0 or more), got '"
                + lookbackSetting.value()
                + "'",
            "write e.g. lookback: 2 (dbt's default is 1)");
      }
    }
    if (problems.size() != before) {
      return Optional.empty();
    }
    // dbt truncates begin to its batch: the first batch is the one begin falls in (an hourly
    // model's at its hour)
    LocalDateTime start = grain.startOf(grain.keyOf(truncated(begin, grain)));
    return Optional.of(
        new PartitionsDef(
            List.of(
                new PartitionsDef.TimeDimension(
                    eventTime,
                    grain,
                    start.toLocalDate(),
                    ZoneOffset.UTC,
                    grain == TimeGrain.HOUR ? start.toLocalTime() : java.time.LocalTime.MIDNIGHT)),
            // dbt's lookback counts the batches before the one in progress
            lookback + 1,
            true));
  }

  private static LocalDateTime truncated(LocalDateTime time, TimeGrain grain) {
    return switch (grain) {
      case HOUR -> time.withMinute(0).withSecond(0).withNano(0);
      case DAY, WEEK -> time.toLocalDate().atStartOfDay();
      case MONTH -> time.toLocalDate().withDayOfMonth(1).atStartOfDay();
      case YEAR -> time.toLocalDate().withDayOfYear(1).atStartOfDay();
    };
  }

  /**
   * A date or a time as dbt reads {@code begin} and the event time flags ({@code 2024-01-01},
   * {@code 2024-01-01 05:00:00}, ISO forms such as {@code 2024-01-01T05:00:00.000Z} or with an
   * offset, which is taken to UTC); null when neither.
   */
  public static LocalDateTime parseTime(String text) {
    String value = text.strip().replace(' ', 'T');
    try {
      return LocalDate.parse(value).atStartOfDay();
    } catch (DateTimeParseException e) {
      // a time of day too
    }
    try {
      return LocalDateTime.parse(value);
    } catch (DateTimeParseException e) {
      // with an offset
    }
    try {
      return java.time.OffsetDateTime.parse(value)
          .withOffsetSameInstant(ZoneOffset.UTC)
          .toLocalDateTime();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String text(Setting setting) {
    if (setting == null || setting.value() == null) {
      return null;
    }
    String text = String.valueOf(setting.value()).strip();
    return text.isEmpty() ? null : text;
  }

  /**
   * dbt's {@code model.batch} of the batch whose partition variables are {@code variables} (see
   * {@link PartitionVariables}): {@code id} ({@code 20240101}, {@code 20240101T05} for hours),
   * {@code event_time_start} and {@code event_time_end}; a batch at 1970-01-01 while the project is
   * loaded, when no batch is rendered.
   */
  static Map<String, Object> batch(Map<String, Object> variables) {
    String start = String.valueOf(variables.getOrDefault("start_ts", "1970-01-01 00:00:00+00:00"));
    String end = String.valueOf(variables.getOrDefault("end_ts", "1970-01-02 00:00:00+00:00"));
    boolean hourly = String.valueOf(variables.getOrDefault("start", "")).length() > 10;
    Map<String, Object> batch = new LinkedHashMap<>();
    String date = start.substring(0, 10).replace("-", "");
    batch.put("id", hourly ? date + "T" + start.substring(11, 13) : date);
    batch.put("event_time_start", start);
    batch.put("event_time_end", end);
    return batch;
  }

  /**
   * The SQL that reads {@code relation} (rendered) filtered to a batch's window on {@code column},
   * as dbt renders an input with an {@code event_time} while a batch is built.
   */
  static String filtered(String relation, String identifier, String column, Window window) {
    return "(select * from "
        + relation
        + " where "
        + column
        + " >= '"
        + window.start()
        + "' and "
        + column
        + " < '"
        + window.end()
        + "') _dbt_et_filter_subq_"
        + identifier;
  }

  /** A batch's window, its bounds as dbt renders them ({@code 2024-01-01 00:00:00+00:00}). */
  record Window(String start, String end) {
    Window {
      requireNonNull(start, "start is null");
      requireNonNull(end, "end is null");
    }

    /** The window of the batch whose partition variables are {@code variables}, if a batch. */
    static Optional<Window> of(Map<String, Object> variables) {
      Object start = variables.get("start_ts");
      Object end = variables.get("end_ts");
      return start == null || end == null
          ? Optional.empty()
          : Optional.of(new Window(start.toString(), end.toString()));
    }
  }

  /** Collects the microbatch models and the event times while a dbt project is read. */
  static final class Builder {
    private final Map<String, Boolean> models = new LinkedHashMap<>();
    private final Map<String, String> eventTimes = new LinkedHashMap<>();

    /** A model's, seed's ({@code name}) or source table's ({@code source.table}) event time. */
    synchronized void eventTime(String name, Setting setting) {
      String column = text(setting);
      if (column != null) {
        eventTimes.put(name, column);
      }
    }

    synchronized void model(String name, Setting fullRefresh) {
      models.put(name, fullRefresh == null || !Boolean.FALSE.equals(fullRefresh.value()));
    }

    synchronized DbtMicrobatch build() {
      return new DbtMicrobatch(models, eventTimes);
    }
  }
}
