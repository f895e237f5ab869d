package dev.sluice.core.run;

import java.util.List;

/**
 * What to run.
 *
 * @param select selectors of the assets to run (empty: all); see {@link
 *     dev.sluice.core.project.Selector}
 * @param exclude selectors of assets to leave out
 * @param fullRefresh rebuild incremental models and reload append sources from scratch
 */
public record RunOptions(List<String> select, List<String> exclude, boolean fullRefresh) {
  public RunOptions {
    select = List.copyOf(select);
    exclude = List.copyOf(exclude);
  }

  public RunOptions(List<String> select, boolean fullRefresh) {
    this(select, List.of(), fullRefresh);
  }

  public static RunOptions all() {
    return new RunOptions(List.of(), List.of(), false);
  }
}
