package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.state.CheckHistoryEntry;
import dev.sluice.core.state.CheckStatus;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check result is kept per run and partition and can be read back by the check's name; the
 * sample of failing rows it keeps is masked as policies.yaml says, and a classified column no mask
 * covers is not kept at all.
 */
class CheckHistoryTest {
  @TempDir Path project;

  @Test
  void keepsEachResultPerRunWithAMaskedSampleOfTheFailingRows() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "seeds/people.csv",
        "id,email,full_name,country\n1,ann@example.com,Ann Lee,de\n2,bob@mail.org,Bob Ray,xx\n");
    write(
        project,
        "seeds/people.yaml",
        """
        seeds:
          - name: people
            columns:
              - {name: email, classification: [pii.email]}
              - {name: full_name, classification: [pii.name]}
            checks:
              - expression: {expression: "country <> 'xx'", name: known_country, severity: warn}
        """);
    write(
        project,
        "policies.yaml",
        """
        roles:
          - name: admin
        masks:
          - tag: pii.email
            mask: email_domain
            exempt: [admin]
        """);
    String firstRun;
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      firstRun = first.runId();
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      write(
          project,
          "seeds/people.csv",
          "id,email,full_name,country\n1,ann@example.com,Ann Lee,de\n2,bob@mail.org,Bob Ray,fr\n");
    }
    try (Workspace workspace = Workspace.open(project)) {
      RunResult second = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(second.succeeded()).isTrue();

      List<CheckHistoryEntry> history =
          workspace.runStore().steps().checkHistory("known_country", null, 10);
      assertThat(history).hasSize(2);
      assertThat(history.get(0).runId()).isEqualTo(second.runId());
      assertThat(history.get(0).check().status()).isEqualTo(CheckStatus.PASSED);
      assertThat(history.get(0).check().sampleJson()).isNull();
      CheckHistoryEntry failed = history.get(1);
      assertThat(failed.check().asset()).isEqualTo("people");
      assertThat(failed.check().status()).isEqualTo(CheckStatus.FAILED);
      assertThat(failed.check().failingRows()).isEqualTo(1);
      assertThat(failed.partition()).isNull();
      // the e-mail as its mask shows it, the unmasked name withheld, the rest as stored
      assertThat(failed.check().sampleJson())
          .contains("***@mail.org")
          .contains("[classified]")
          .contains("\"country\":\"xx\"")
          .doesNotContain("bob@")
          .doesNotContain("Bob Ray");
      // the run's own report shows the same masked sample
      assertThat(workspace.runStore().runs().findRun(firstRun).orElseThrow().toString())
          .doesNotContain("bob@");
      assertThat(workspace.runStore().steps().checkHistory("known_country", "other", 10)).isEmpty();
      assertThat(workspace.runStore().steps().checkHistory("no_such_check", null, 10)).isEmpty();
    }
  }

  @Test
  void aPartitionedModelKeepsTheResultOfEachPartition() throws Exception {
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "models/daily.sql",
        "select cast('{{ start }}' as date) as event_date, x as amount from range(2) t(x)\n");
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
              - expression: {expression: "amount > 0", name: positive, severity: warn}
        """
            .formatted(start));
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      List<CheckHistoryEntry> history =
          workspace.runStore().steps().checkHistory("positive", "daily", 10);
      assertThat(history)
          .extracting(CheckHistoryEntry::partition)
          .containsExactlyInAnyOrder(start.toString(), start.plusDays(1).toString());
      assertThat(history).allSatisfy(entry -> assertThat(entry.check().failingRows()).isEqualTo(1));
    }
  }
}
