package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots (type-2 slowly changing dimensions) as dbt-duckdb builds them, in Sluice's own format
 * ({@code materialized: snapshot}) and as dbt snapshot blocks: the expected rows are written from
 * dbt's documented semantics ({@code dbt_scd_id} = md5 of the unique key and updated_at joined by
 * '|', {@code dbt_valid_to} null for current versions, a changed row closes its current version at
 * the new version's updated_at, a deleted one at the snapshot's time).
 */
class SnapshotsTest {
  @TempDir Path project;

  private RunResult run() {
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(result.toString()).isTrue();
      return result;
    }
  }

  private List<List<Object>> rows(String sql) {
    try (Workspace workspace = Workspace.open(project)) {
      List<List<Object>> rows = new ArrayList<>();
      for (List<Object> row :
          new QueryService(workspace).query(sql, ReadPoint.main(), 100).rows()) {
        // DuckDB gives TIMESTAMP as java.sql.Timestamp
        rows.add(
            row.stream()
                .map(
                    value ->
                        value instanceof java.sql.Timestamp timestamp
                            ? (Object) timestamp.toLocalDateTime()
                            : value)
                .toList());
      }
      return rows;
    }
  }

  private void customers(String values) throws IOException {
    write(
        project,
        "models/curated/customers_history.sql",
        "{{ config(materialized='snapshot', unique_key='id', strategy='timestamp',"
            + " updated_at='updated_at', hard_deletes='invalidate') }}\n"
            + "select * from (values "
            + values
            + ") as t(id, name, updated_at)\n");
  }

  @Test
  void timestampStrategyInSluicesOwnFormat() throws IOException {
    write(project, "sluice.yaml", "name: history\n");
    customers(
        "(1, 'alice', timestamp '2024-01-01 00:00:00'), (2, 'bob', timestamp '2024-01-01"
            + " 00:00:00'), (3, 'carol', timestamp '2024-01-01 00:00:00')");
    run();
    assertThat(
            rows(
                "select id, name, dbt_valid_from, dbt_valid_to, dbt_scd_id, dbt_updated_at from"
                    + " curated.customers_history order by id"))
        .containsExactly(
            current(1, "alice", "2024-01-01T00:00"),
            current(2, "bob", "2024-01-01T00:00"),
            current(3, "carol", "2024-01-01T00:00"));

    // bob renamed, carol deleted, dave new, alice unchanged
    customers(
        "(1, 'alice', timestamp '2024-01-01 00:00:00'), (2, 'robert', timestamp '2024-01-02"
            + " 00:00:00'), (4, 'dave', timestamp '2024-01-02 00:00:00')");
    Instant before = Instant.now();
    RunResult second = run();
    Instant after = Instant.now();
    assertThat(second.steps().get(0).detail()).contains("snapshot updated");

    List<List<Object>> rows =
        rows(
            "select id, name, dbt_valid_from, dbt_valid_to, dbt_scd_id, dbt_updated_at from"
                + " curated.customers_history order by id, dbt_valid_from");
    assertThat(rows)
        .hasSize(5)
        .contains(
            current(1, "alice", "2024-01-01T00:00"),
            closed(2, "bob", "2024-01-01T00:00", "2024-01-02T00:00"),
            current(2, "robert", "2024-01-02T00:00"),
            current(4, "dave", "2024-01-02T00:00"));
    // hard_deletes: invalidate closes carol's version at the snapshot's time
    List<Object> carol = rows.get(3);
    assertThat(carol.subList(0, 3))
        .containsExactly(3, "carol", java.time.LocalDateTime.parse("2024-01-01T00:00"));
    Instant closedAt = ((java.time.LocalDateTime) carol.get(3)).toInstant(java.time.ZoneOffset.UTC);
    assertThat(closedAt).isBetween(before.minusMillis(1), after);

    // a run with nothing changed adds nothing
    run();
    assertThat(rows("select count(*) from curated.customers_history")).containsExactly(List.of(5L));
  }

  @Test
  void checkStrategyWithNewRecordAsADbtSnapshotBlock() throws IOException {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/raw_orders.csv", "id,status\n1,placed\n2,placed\n");
    write(
        project,
        "snapshots/orders_snapshot.sql",
        """
        {% snapshot orders_snapshot %}
        {{ config(target_schema='snapshots', unique_key='id', strategy='check',
                  check_cols=['status'], hard_deletes='new_record') }}
        select id, status from {{ ref('raw_orders') }}
        {% endsnapshot %}
        """);
    // a model reading the snapshot runs after it
    write(
        project,
        "models/current_orders.sql",
        "select id, status from {{ ref('orders_snapshot') }} where dbt_valid_to is null"
            + " and dbt_is_deleted = 'False'\n");
    run();
    write(project, "seeds/raw_orders.csv", "id,status\n1,shipped\n");
    run();
    write(project, "seeds/raw_orders.csv", "id,status\n1,shipped\n2,placed\n");
    run();

    List<List<Object>> rows =
        rows(
            "select id, status, dbt_is_deleted, dbt_valid_from, dbt_valid_to from"
                + " snapshots.orders_snapshot order by id, dbt_valid_from");
    // the snapshots' times, in order: t1, t2, t3
    TreeSet<OffsetDateTime> times = new TreeSet<>();
    rows.forEach(row -> times.add((OffsetDateTime) row.get(3)));
    List<OffsetDateTime> t = new ArrayList<>(times);
    assertThat(t).hasSize(3);
    assertThat(rows)
        .containsExactly(
            List.of(1L, "placed", "False", t.get(0), t.get(1)),
            row(1L, "shipped", "False", t.get(1), null),
            List.of(2L, "placed", "False", t.get(0), t.get(1)),
            // the deletion record, closed when the row came back
            List.of(2L, "placed", "True", t.get(1), t.get(2)),
            row(2L, "placed", "False", t.get(2), null));
    // dbt_scd_id: md5 of id and dbt_updated_at (the snapshot's time) for versions; of the deleted
    // version's dbt_scd_id and the time for a deletion record
    assertThat(
            rows(
                "select count(*) from snapshots.orders_snapshot where dbt_updated_at ="
                    + " dbt_valid_from and dbt_scd_id = md5(cast(id as varchar) || '|' ||"
                    + " cast(dbt_updated_at as varchar)) and dbt_is_deleted = 'False'"))
        .containsExactly(List.of(4L));
    assertThat(rows("select id, status from main.current_orders order by id"))
        .containsExactly(List.of(1L, "shipped"), List.of(2L, "placed"));
  }

  @Test
  void badSnapshotsAreProblemsAtTheirLines() throws IOException {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "snapshots/a.sql",
        "{% snapshot a %}\n{{ config(unique_key='id', strategy='timestmp') }}\nselect 1 as id\n"
            + "{% endsnapshot %}\n");
    write(
        project,
        "snapshots/b.sql",
        "{% snapshot b %}\n{{ config(target_schema='snapshots', strategy='check',"
            + " check_cols='all') }}\nselect 1 as id\n{% endsnapshot %}\n");
    write(project, "snapshots/c.sql", "select 1 as id\n");
    write(
        project,
        "snapshots/d.sql",
        "{% snapshot d %}\n{{ config(unique_key='id', strategy='check') }}\nselect 1 as id\n"
            + "{% endsnapshot %}\n");

    List<String> problems = new ArrayList<>();
    try {
      Project.load(project);
    } catch (ProjectException e) {
      e.problems().forEach(problem -> problems.add(problem.location() + ": " + problem.message()));
    }
    assertThat(problems)
        .containsExactlyInAnyOrder(
            "snapshots/a.sql:2: Unknown snapshot strategy 'timestmp' of the snapshot 'a'",
            "snapshots/b.sql:1: The snapshot 'b' has no unique_key",
            "snapshots/c.sql: The snapshot file has no {% snapshot %} block",
            "snapshots/d.sql:2: The check strategy of the snapshot 'd' needs check_cols");
  }

  @Test
  void aYamlSnapshotOfARefWithDbtValidToCurrent() throws IOException {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "seeds/raw_customers.csv",
        "id,name,updated_at\n1,alice,2024-01-01 00:00:00\n2,bob,2024-01-01 00:00:00\n");
    // dbt 1.9: a snapshot in a properties file, its query select * from its relation
    write(
        project,
        "snapshots/snapshots.yml",
        """
        snapshots:
          - name: customers_snapshot
            relation: ref('raw_customers')
            description: customers' history
            config:
              schema: snapshots
              unique_key: id
              strategy: timestamp
              updated_at: updated_at
              dbt_valid_to_current: "timestamp '9999-12-31 00:00:00'"
        """);
    run();
    write(
        project,
        "seeds/raw_customers.csv",
        "id,name,updated_at\n1,alice,2024-01-01 00:00:00\n2,robert,2024-01-02 00:00:00\n");
    run();
    run(); // nothing changed: nothing added

    // dbt-duckdb: current versions have dbt_valid_to_current, not null; a change closes them
    String forever = "9999-12-31T00:00";
    assertThat(
            rows(
                "select cast(id as integer), name, dbt_valid_from, dbt_valid_to, dbt_scd_id,"
                    + " dbt_updated_at from main_snapshots.customers_snapshot"
                    + " order by id, dbt_valid_from"))
        .containsExactly(
            closed(1, "alice", "2024-01-01T00:00", forever),
            closed(2, "bob", "2024-01-01T00:00", "2024-01-02T00:00"),
            closed(2, "robert", "2024-01-02T00:00", forever));
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.project().models().get("customers_snapshot").description())
          .isEqualTo("customers' history");
    }
  }

  @Test
  void aYamlSnapshotsRelationIsARefOrASource() throws IOException {
    write(project, "dbt_project.yml", "name: shop\n");
    write(
        project,
        "snapshots/snapshots.yml",
        """
        snapshots:
          - name: s
            relation: orders
            config: {unique_key: id, strategy: timestamp, updated_at: at}
        """);
    assertThatProblems()
        .containsExactly(
            "snapshots/snapshots.yml:3: The relation of snapshot 's' must be a ref() or a"
                + " source()");
  }

  private org.assertj.core.api.ListAssert<String> assertThatProblems() {
    List<String> problems = new ArrayList<>();
    try {
      Project.load(project);
    } catch (ProjectException e) {
      e.problems().forEach(problem -> problems.add(problem.location() + ": " + problem.message()));
    }
    return assertThat(problems);
  }

  private static List<Object> current(int id, String name, String updatedAt) {
    return row(id, name, time(updatedAt), null, scdId(id, updatedAt), time(updatedAt));
  }

  private static List<Object> closed(int id, String name, String updatedAt, String closedAt) {
    return List.of(
        id, name, time(updatedAt), time(closedAt), scdId(id, updatedAt), time(updatedAt));
  }

  private static java.time.LocalDateTime time(String text) {
    return java.time.LocalDateTime.parse(text);
  }

  /** dbt's snapshot_hash_arguments: md5(id || '|' || updated_at as DuckDB casts it to varchar). */
  private static String scdId(int id, String updatedAt) {
    String text = id + "|" + updatedAt.replace('T', ' ') + ":00";
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Object> row(Object... values) {
    return java.util.Arrays.asList(values);
  }
}
