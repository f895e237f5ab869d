package dev.sluice.core.run;

import dev.sluice.core.state.StepKind;
import java.util.List;

/**
 * One step a run would take, and why.
 *
 * @param reasons why the asset would be built, e.g. {@code new: not built yet}
 */
public record PlannedStep(String asset, StepKind kind, String table, List<String> reasons) {
  public PlannedStep {
    reasons = List.copyOf(reasons);
  }
}
