package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.state.ColumnProfile;
import dev.sluice.core.state.MetricHistory;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.TableProfile;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step records what it wrote in the metric history: rows, bytes, files and a profile of each
 * column of the new data, per table and per partition; classified columns keep no minimum or
 * maximum, declared or inherited along lineage.
 */
class MetricHistoryTest {
  @TempDir Path project;

  @Test
  void aLoadAndAModelRecordTheProfileOfTheDataTheyWrote() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        tables:
          - name: customers
            path: data/customers.csv
            columns:
              - name: email
                classification: [pii.email]
        """);
    write(
        project,
        "data/customers.csv",
        "id,email,amount,country\n1,a@x.io,10.5,de\n2,bb@x.io,,fr\n3,,4.5,de\n4,c@x.io,1,\n");
    write(
        project,
        "models/customers_clean.sql",
        "select id, lower(email) as contact, amount, country from {{ source('shop', 'customers') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();

      MetricHistory.Recorded loaded =
          workspace.runStore().metrics().latest("raw.shop_customers", null).orElseThrow();
      assertThat(loaded.runId()).isEqualTo(result.runId());
      assertThat(loaded.asset()).isEqualTo("shop.customers");
      TableProfile profile = loaded.profile();
      assertThat(profile.partition()).isNull();
      assertThat(profile.rowCount()).isEqualTo(4);
      assertThat(profile.files()).isEqualTo(1);
      assertThat(profile.bytes()).isPositive();
      ColumnProfile amount = profile.column("amount");
      assertThat(amount.nullFraction()).isEqualTo(0.25);
      assertThat(amount.distinctEstimate()).isEqualTo(3);
      assertThat(amount.min()).isEqualTo("1.0");
      assertThat(amount.max()).isEqualTo("10.5");
      assertThat(amount.mean()).isEqualTo(16.0 / 3);
      ColumnProfile country = profile.column("country");
      assertThat(country.min()).isEqualTo("de");
      assertThat(country.max()).isEqualTo("fr");
      assertThat(country.minLength()).isEqualTo(2);
      assertThat(country.maxLength()).isEqualTo(2);
      assertThat(country.mean()).isNull();
      // a pii column: its figures, never its values
      ColumnProfile email = profile.column("email");
      assertThat(email.nullFraction()).isEqualTo(0.25);
      assertThat(email.distinctEstimate()).isEqualTo(3);
      assertThat(email.minLength()).isEqualTo(6);
      assertThat(email.maxLength()).isEqualTo(7);
      assertThat(email.min()).isNull();
      assertThat(email.max()).isNull();

      // the model's contact comes from the e-mail: it inherits pii.email, and keeps no values
      TableProfile model =
          workspace
              .runStore()
              .metrics()
              .latest("curated.customers_clean", null)
              .orElseThrow()
              .profile();
      assertThat(model.rowCount()).isEqualTo(4);
      assertThat(model.column("contact").min()).isNull();
      assertThat(model.column("contact").max()).isNull();
      assertThat(model.column("contact").distinctEstimate()).isEqualTo(3);
      assertThat(model.column("id").min()).isEqualTo("1");
      assertThat(model.column("id").max()).isEqualTo("4");
    }
  }

  @Test
  void aPartitionedModelRecordsEachPartitionAndABlockedWriteIsNotTheLatest() throws Exception {
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "models/daily.sql",
        "select cast('{{ start }}' as date) as event_date, x as amount"
            + " from range(day(cast('{{ start }}' as date))) t(x)\n");
    write(
        project,
        "models/daily.yaml",
        """
        models:
          - name: daily
            materialized: incremental_by_time_range
            partitions:
              - column: event_date
                grain: day
                start: %s
        """
            .formatted(start));
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      List<MetricHistory.Recorded> history =
          workspace.runStore().metrics().history("curated.daily", null, true, 10);
      assertThat(history)
          .extracting(r -> r.profile().partition())
          .hasSize(2)
          .containsExactlyInAnyOrder(start.toString(), start.plusDays(1).toString());
      for (MetricHistory.Recorded recorded : history) {
        LocalDate day = LocalDate.parse(recorded.profile().partition());
        assertThat(recorded.profile().rowCount()).isEqualTo(day.getDayOfMonth());
        assertThat(recorded.profile().column("event_date").min()).isEqualTo(day.toString());
        assertThat(recorded.profile().column("amount").max())
            .isEqualTo(String.valueOf(day.getDayOfMonth() - 1));
      }
    }
    // the same partitions, now blocked by a check: recorded, but not what latest() gives
    write(
        project,
        "models/daily.yaml",
        """
        models:
          - name: daily
            materialized: incremental_by_time_range
            partitions:
              - column: event_date
                grain: day
                start: %s
            checks:
              - row_count: {max: 0}
        """
            .formatted(start));
    try (Workspace workspace = Workspace.open(project)) {
      RunResult blocked =
          new Runner(workspace).run(new RunOptions(List.of(), List.of(), true), RunListener.NONE);
      assertThat(blocked.succeeded()).isFalse();
      MetricHistory.Recorded latest =
          workspace.runStore().metrics().latest("curated.daily", start.toString()).orElseThrow();
      assertThat(latest.stepStatus()).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(latest.runId()).isNotEqualTo(blocked.runId());
      assertThat(
              workspace.runStore().metrics().history("curated.daily", start.toString(), false, 10))
          .extracting(MetricHistory.Recorded::stepStatus)
          .containsExactly(StepStatus.FAILED, StepStatus.SUCCEEDED);
    }
  }
}
