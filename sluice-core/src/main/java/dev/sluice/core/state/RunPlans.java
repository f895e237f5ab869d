package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.fromJson;
import static dev.sluice.core.state.StateRows.toJson;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.update;

import java.util.List;
import java.util.Optional;

/** The steps each run planned, in a {@link RunStore}, so that a resume knows them. */
public final class RunPlans extends FencedPart {
  RunPlans(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /** Records the steps a run is to take, before it takes any, so that a resume knows them. */
  public void recordPlan(String runId, List<StepKey> steps) {
    String json = toJson(steps.stream().map(StepKey::name).toList());
    writeForRun(
        "record the plan of run " + runId,
        runId,
        connection ->
            update(connection, "UPDATE sluice_runs SET plan = ? WHERE id = ?", json, runId));
  }

  /** The steps a run planned, or empty for runs that recorded none (before partitions). */
  public Optional<List<StepKey>> plan(String runId) {
    return transactions.read(
        "read the plan of run " + runId,
        connection -> {
          Optional<String> json =
              first(
                  connection,
                  "SELECT plan FROM sluice_runs WHERE id = ?",
                  row -> row.getString(1),
                  runId);
          if (json.isEmpty()) {
            return Optional.<List<StepKey>>empty();
          }
          return Optional.of(
              fromJson(json.get(), "plan", runId).stream().map(StepKey::parse).toList());
        });
  }
}
