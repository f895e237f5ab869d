package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One run in full.
 *
 * @param summary the run at a glance
 * @param selection the asset selection the run was started with, as given
 * @param steps its steps, in the order they started
 */
public record RunDetail(RunSummary summary, List<String> selection, List<StepDetail> steps) {

  public RunDetail {
    requireNonNull(summary, "summary is null");
    selection = List.copyOf(requireNonNull(selection, "selection is null"));
    steps = List.copyOf(requireNonNull(steps, "steps is null"));
  }
}
