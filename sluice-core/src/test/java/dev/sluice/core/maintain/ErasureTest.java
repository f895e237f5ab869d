package dev.sluice.core.maintain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The right to erasure, end to end on real files, DuckDB, Iceberg and SQLite: after an erasure no
 * reader finds the subject, not Iceberg's generic reader, not time travel, not the rejected
 * records.
 */
class ErasureTest {
  private static final TableName CUSTOMERS = TableName.parse("raw.shop_customers");
  private static final TableName ORDERS = TableName.parse("raw.shop_orders");
  private static final TableName REJECTED = TableName.parse("raw.shop_orders__rejected");
  private static final TableName CUSTOMER_ORDERS = TableName.parse("curated.customer_orders");
  private static final TableName REVENUE = TableName.parse("published.revenue_by_country");

  @TempDir Path project;

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  @BeforeEach
  void shop() throws IOException {
    write("sluice.yaml", "name: shop\n");
    write(
        "sources/shop.yaml",
        """
        connector: file
        tables:
          - name: customers
            path: data/customers/*.csv
            columns:
              - {name: customer_id, type: bigint, classification: [subject.customer_id]}
              - {name: email, type: varchar, classification: [pii.email]}
              - {name: country, type: varchar}
          - name: orders
            path: data/orders/*.csv
            mode: append
            on_error: quarantine
            columns:
              - {name: order_id, type: bigint}
              - {name: customer_id, type: bigint, classification: [subject.customer_id]}
              - {name: amount, type: "decimal(12,2)"}
        """);
    write(
        "data/customers/customers.csv",
        "customer_id,email,country\n41,ann@example.com,DE\n42,bob@example.com,DE\n"
            + "43,cyd@example.com,FR\n");
    write(
        "data/orders/orders-1.csv",
        "order_id,customer_id,amount\n1,41,10.00\n2,42,20.00\n3,42,5.00\n4,43,7.00\n"
            + "5,42,lots\n");
    write(
        "models/curated/customer_orders.sql",
        """
        select o.order_id, o.customer_id as buyer, c.email, c.country, o.amount
        from {{ source('shop', 'orders') }} o
        join {{ source('shop', 'customers') }} c on o.customer_id = c.customer_id
        """);
    write(
        "models/published/revenue_by_country.sql",
        """
        select country, sum(amount) as revenue, count(*) as orders
        from {{ ref('customer_orders') }}
        group by country
        """);
    write(
        "models/curated/customer_emails.sql",
        """
        {{ config(materialized='view') }}
        select customer_id, email from {{ source('shop', 'customers') }}
        """);
  }

  @Test
  void aDryRunListsWhatWouldBeRemovedAndChangesNothing() {
    try (Workspace workspace = Workspace.open(project)) {
      build(workspace);
      ErasureReport report =
          new Erasure(workspace, Clock.systemUTC()).plan(ErasureSubject.parse("customer_id=42"));

      assertThat(report.dryRun()).isTrue();
      Map<TableName, ErasureReport.TableErasure> byTable = byTable(report);
      assertThat(byTable.get(CUSTOMERS).rows()).isEqualTo(1);
      assertThat(byTable.get(CUSTOMERS).columns()).containsExactly("customer_id");
      assertThat(byTable.get(ORDERS).rows()).isEqualTo(2);
      assertThat(byTable.get(REJECTED).rows()).isEqualTo(1);
      assertThat(byTable.get(CUSTOMER_ORDERS).columns()).containsExactly("buyer");
      assertThat(byTable.get(CUSTOMER_ORDERS).rows()).isEqualTo(2);
      assertThat(byTable.get(REVENUE).reason()).isEqualTo(ErasureReport.Reason.REBUILT);
      assertThat(report.notes()).anyMatch(note -> note.contains("curated.customer_emails"));
      assertThat(report.rowsRemoved()).isEqualTo(6);

      assertThat(ids(workspace, CUSTOMERS, "customer_id")).contains(42L);
      assertThat(ids(workspace, CUSTOMER_ORDERS, "buyer")).contains(42L);
      assertThat(workspace.runStore().audit().records(erasures())).isEmpty();
    }
  }

  @Test
  void afterAnErasureNoReaderFindsTheSubject() throws IOException {
    try (Workspace workspace = Workspace.open(project)) {
      build(workspace);
      // a second load makes history: snapshots from before the erasure that hold the subject
      write("data/orders/orders-2.csv", "order_id,customer_id,amount\n6,42,1.00\n7,41,2.00\n");
      build(workspace);
      Map<TableName, Set<Long>> oldSnapshots = new java.util.HashMap<>();
      Map<TableName, Set<String>> oldFiles = new java.util.HashMap<>();
      for (TableName table : List.of(CUSTOMERS, ORDERS, REJECTED, CUSTOMER_ORDERS, REVENUE)) {
        Table iceberg = workspace.lake().loadTable(table);
        Set<Long> snapshots = new HashSet<>();
        iceberg.snapshots().forEach(snapshot -> snapshots.add(snapshot.snapshotId()));
        oldSnapshots.put(table, snapshots);
        oldFiles.put(table, dataFiles(iceberg));
      }

      ErasureReport report =
          new Erasure(workspace, Clock.systemUTC())
              .erase(ErasureSubject.parse("customer_id=42"), RunListener.NONE);

      assertThat(report.rebuildSucceeded()).isTrue();
      assertThat(byTable(report).get(ORDERS).rows()).isEqualTo(3);
      // Iceberg's generic reader: the subject is gone, everyone else is there
      assertThat(ids(workspace, CUSTOMERS, "customer_id")).containsExactlyInAnyOrder(41L, 43L);
      assertThat(ids(workspace, ORDERS, "customer_id")).containsExactlyInAnyOrder(41L, 41L, 43L);
      assertThat(ids(workspace, CUSTOMER_ORDERS, "buyer")).containsExactlyInAnyOrder(41L, 41L, 43L);
      assertThat(rows(workspace, CUSTOMERS))
          .noneMatch(row -> "bob@example.com".equals(row.getField("email")));
      assertThat(rows(workspace, REJECTED))
          .noneMatch(row -> String.valueOf(row.getField("_raw_record")).contains(",42,"));
      // the aggregate no longer counts the subject's orders
      Record germany =
          rows(workspace, REVENUE).stream()
              .filter(row -> "DE".equals(row.getField("country")))
              .findFirst()
              .orElseThrow();
      assertThat((BigDecimal) germany.getField("revenue")).isEqualByComparingTo("12.00");
      assertThat(germany.getField("orders")).isEqualTo(2L);
      // time travel: every snapshot from before the erasure is gone, and the files only they
      // referenced are deleted from the warehouse
      for (TableName table : oldSnapshots.keySet()) {
        Table iceberg = workspace.lake().loadTable(table);
        for (long old : oldSnapshots.get(table)) {
          assertThat(iceberg.snapshot(old)).as(table + " snapshot " + old).isNull();
        }
        Set<String> live = dataFiles(iceberg);
        for (String file : oldFiles.get(table)) {
          if (!live.contains(file)) {
            assertThat(Path.of(java.net.URI.create(uri(file))))
                .as(table + " " + file)
                .doesNotExist();
          }
        }
        for (Snapshot snapshot : iceberg.snapshots()) {
          assertThat(readAt(iceberg, snapshot))
              .as(table + " at " + snapshot.snapshotId())
              .noneMatch(row -> holdsSubject(row));
        }
      }
      // the audit log has the report, and the subject's value only as a digest
      List<AuditRecord> erasures = workspace.runStore().audit().records(erasures());
      assertThat(erasures).hasSize(1);
      String details = erasures.get(0).details();
      assertThat(details)
          .contains(ErasureSubject.parse("customer_id=42").digest(), "raw.shop_orders")
          .doesNotContain("bob@example.com")
          .doesNotContain("\"subject_value\"");
      assertThat(workspace.runStore().audit().verify().intact()).isTrue();

      // the next run does not bring the subject back from the raw tables
      build(workspace);
      assertThat(ids(workspace, CUSTOMER_ORDERS, "buyer")).doesNotContain(42L);
    }
  }

  @Test
  void anUntaggedSubjectIsRefusedWithTheTaggedOnes() {
    try (Workspace workspace = Workspace.open(project)) {
      build(workspace);
      assertThatThrownBy(
              () ->
                  new Erasure(workspace, Clock.systemUTC())
                      .plan(ErasureSubject.parse("custmer_id=42")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("No column is tagged subject.custmer_id")
          .hasMessageContaining("did you mean customer_id?");
      assertThatThrownBy(
              () ->
                  new Erasure(workspace, Clock.systemUTC())
                      .plan(ErasureSubject.parse("employee_id=7")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the tagged subjects are: customer_id");
    }
  }

  @Test
  void aSubjectThatIsNotKeyEqualsValueIsRefused() {
    for (String bad : List.of("42", "customer_id=", "=42", "Customer Id=42")) {
      assertThatThrownBy(() -> ErasureSubject.parse(bad))
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("--subject takes KEY=VALUE");
    }
    assertThat(ErasureSubject.parse("customer_id=42").toString()).doesNotContain("42");
  }

  private static void build(Workspace workspace) {
    RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
  }

  private static AuditFilter erasures() {
    return AuditFilter.all().withAction(AuditAction.ERASURE);
  }

  private static Map<TableName, ErasureReport.TableErasure> byTable(ErasureReport report) {
    return report.tables().stream()
        .collect(Collectors.toMap(ErasureReport.TableErasure::table, table -> table));
  }

  private static boolean holdsSubject(Record row) {
    for (String column : List.of("customer_id", "buyer")) {
      if (row.struct().field(column) != null && Objects.equals(row.getField(column), 42L)) {
        return true;
      }
    }
    return row.struct().field("_raw_record") != null
        && String.valueOf(row.getField("_raw_record")).contains(",42,");
  }

  private static List<Long> ids(Workspace workspace, TableName table, String column) {
    return rows(workspace, table).stream().map(row -> (Long) row.getField(column)).toList();
  }

  private static List<Record> rows(Workspace workspace, TableName table) {
    return read(IcebergGenerics.read(workspace.lake().loadTable(table)).build());
  }

  private static List<Record> readAt(Table table, Snapshot snapshot) {
    return read(IcebergGenerics.read(table).useSnapshot(snapshot.snapshotId()).build());
  }

  private static List<Record> read(CloseableIterable<Record> iterable) {
    List<Record> records = new ArrayList<>();
    try (iterable) {
      iterable.forEach(records::add);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return records;
  }

  private static Set<String> dataFiles(Table table) {
    Set<String> files = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      try (CloseableIterable<FileScanTask> tasks =
          table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
        for (FileScanTask task : tasks) {
          DataFile file = task.file();
          files.add(file.location());
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return files;
  }

  private static String uri(String location) {
    return location.startsWith("file:") ? location : "file://" + location;
  }
}
