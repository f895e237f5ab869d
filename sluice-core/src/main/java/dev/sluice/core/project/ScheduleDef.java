package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.sluice.api.Location;
import java.time.ZoneId;
import java.util.List;

/**
 * A cron schedule from {@code sluice.yaml}: when to run which assets.
 *
 * @param cron a Unix cron expression (five fields), e.g. {@code 0 * * * *}
 * @param select the assets to run (selector syntax); empty runs everything
 * @param timeZone the time zone the cron expression is read in
 * @param catchUp what to do about ticks missed while no scheduler was running
 */
public record ScheduleDef(
    String name,
    String cron,
    List<String> select,
    ZoneId timeZone,
    CatchUp catchUp,
    Location location) {
  /** What to do about ticks missed while no scheduler ran. */
  public enum CatchUp {
    /** Drop missed ticks: run only ticks that are due now. */
    SKIP,
    /** Run once for the most recent missed tick. */
    LATEST,
    /** Run once for every missed tick, oldest first. */
    ALL
  }

  /** Unix cron (five fields), as cron-utils reads it. */
  static final CronParser CRON_PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** When the schedule fires, in its time zone. */
  public ExecutionTime executionTime() {
    return ExecutionTime.forCron(CRON_PARSER.parse(cron));
  }

  public ScheduleDef {
    requireNonNull(name, "name is null");
    requireNonNull(cron, "cron is null");
    select = List.copyOf(select);
    requireNonNull(timeZone, "timeZone is null");
    requireNonNull(catchUp, "catchUp is null");
    requireNonNull(location, "location is null");
  }
}
