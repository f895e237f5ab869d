package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.fromJson;
import static dev.sluice.core.state.StateRows.toJson;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
    transactions.write(
        "record the plan of run " + runId,
        connection -> {
          fencing.check(connection, runId);
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE sluice_runs SET plan = ? WHERE id = ?")) {
            update.setString(1, json);
            update.setString(2, runId);
            return update.executeUpdate();
          }
        });
  }

  /** The steps a run planned, or empty for runs that recorded none (before partitions). */
  public Optional<List<StepKey>> plan(String runId) {
    return transactions.read(
        "read the plan of run " + runId,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement("SELECT plan FROM sluice_runs WHERE id = ?")) {
            query.setString(1, runId);
            try (ResultSet rows = query.executeQuery()) {
              if (!rows.next() || rows.getString(1) == null) {
                return Optional.<List<StepKey>>empty();
              }
              return Optional.of(
                  fromJson(rows.getString(1), "plan", runId).stream().map(StepKey::parse).toList());
            }
          }
        });
  }
}
