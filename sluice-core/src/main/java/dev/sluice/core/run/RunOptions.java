package dev.sluice.core.run;

import java.util.List;

/**
 * What to run.
 *
 * @param select asset names to run (empty: all)
 * @param fullRefresh rebuild incremental models and reload append sources from scratch
 */
public record RunOptions(List<String> select, boolean fullRefresh) {
  public RunOptions {
    select = List.copyOf(select);
  }

  public static RunOptions all() {
    return new RunOptions(List.of(), false);
  }
}
