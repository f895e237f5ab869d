package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.Secrets;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the audit log must do on every state database: append a hash chain, read it back by
 * principal, table, time and action, keep one chain under concurrent writers (threads and
 * processes), mask secrets, and name the first record that was changed, removed or re-ordered in
 * the database's own rows.
 */
abstract class AuditLogContractTest {
  static final Instant START = Instant.parse("2026-12-06T09:00:00.123Z");

  RunStore store;

  /** The URL of an empty database, the same for the whole of one test. */
  abstract String jdbcUrl();

  /** The driver properties that go with {@link #jdbcUrl()}. */
  abstract Map<String, String> properties();

  @BeforeEach
  void openStore() {
    store = RunStore.open(jdbcUrl(), properties());
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void appendsAChainOfRecordsAndReadsThemBackFiltered() {
    AuditRecord first =
        store
            .audit()
            .append(
                AuditEntry.builder(AuditAction.QUERY, "alice", START)
                    .column("published.orders", "email")
                    .column("published.orders", "amount")
                    .detail("rows", 12)
                    .detail("masks", List.of("email: email_domain"))
                    .build());
    AuditRecord second =
        store
            .audit()
            .append(
                AuditEntry.builder(AuditAction.COMMIT, "scheduler", START.plusSeconds(60))
                    .table("raw.orders")
                    .detail("snapshot_id", 42L)
                    .detail("operation", "append")
                    .build());
    AuditRecord third =
        store
            .audit()
            .append(
                AuditEntry.builder(AuditAction.REFUSED, "alice", START.plusSeconds(120))
                    .table("raw.customers")
                    .detail("reason", "no grant on raw.customers")
                    .build());

    assertThat(List.of(first.sequence(), second.sequence(), third.sequence()))
        .containsExactly(1L, 2L, 3L);
    assertThat(first.previousHash()).isEqualTo(AuditChain.GENESIS);
    assertThat(second.previousHash()).isEqualTo(first.hash());
    assertThat(third.previousHash()).isEqualTo(second.hash());
    assertThat(first.hash()).matches("[0-9a-f]{64}");
    assertThat(first.tables()).containsExactly("published.orders");
    assertThat(first.columns())
        .containsExactly("published.orders.email", "published.orders.amount");
    assertThat(first.details()).isEqualTo("{\"masks\":[\"email: email_domain\"],\"rows\":12}");

    AuditLog audit = store.audit();
    assertThat(audit.records(AuditFilter.all())).containsExactly(first, second, third);
    assertThat(audit.records(AuditFilter.all().withPrincipal("alice")))
        .containsExactly(first, third);
    assertThat(audit.records(AuditFilter.all().withTable("raw.orders"))).containsExactly(second);
    assertThat(audit.records(AuditFilter.all().withSince(START.plusSeconds(60))))
        .containsExactly(second, third);
    assertThat(audit.records(AuditFilter.all().withAction(AuditAction.REFUSED)))
        .containsExactly(third);
    assertThat(audit.records(AuditFilter.all().withLimit(2))).containsExactly(second, third);
    assertThat(audit.verify()).isEqualTo(AuditVerification.ok(3));
  }

  @Test
  void anEmptyLogIsIntact() {
    assertThat(store.audit().verify()).isEqualTo(AuditVerification.ok(0));
    assertThat(store.audit().records(AuditFilter.all())).isEmpty();
  }

  @Test
  void keepsSecretsOutOfRecords() {
    AuditRecord record =
        store
            .audit()
            .redacting(Secrets.of("tokenization-key-s3cr3t"))
            .append(
                AuditEntry.builder(AuditAction.POLICY_CHANGE, "admin", START)
                    .detail("diff", "+ key: tokenization-key-s3cr3t")
                    .detail("token", "abc123")
                    .detail("source", "jdbc:postgresql://db/x?password=hunter2")
                    .detail("nested", Map.of("api_key", "k-1", "note", "plain"))
                    .build());

    assertThat(record.details())
        .doesNotContain("tokenization-key-s3cr3t", "abc123", "hunter2", "k-1")
        .contains("\"note\":\"plain\"", "\"token\":\"****\"", "+ key: ****");
    assertThat(store.audit().verify().intact()).isTrue();
  }

  @Test
  void concurrentWritersOnTwoStoresKeepOneChain() throws Exception {
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      List<RunStore> stores = List.of(store, other);
      RunStoreContractTest.runConcurrently(
          4,
          thread -> {
            for (int i = 0; i < 15; i++) {
              stores
                  .get(thread % 2)
                  .audit()
                  .append(
                      AuditEntry.builder(AuditAction.QUERY, "writer-" + thread, START)
                          .detail("i", i)
                          .build());
            }
          });
    }

    assertChainOf(60);
  }

  @Test
  void concurrentWriterProcessesKeepOneChain() throws Exception {
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(AuditAppender.start(jdbcUrl(), properties(), "process-" + i, 25));
    }
    for (int i = 0; i < 25; i++) {
      store.audit().append(AuditEntry.builder(AuditAction.RUN, "this-process", START).build());
    }
    for (Process process : processes) {
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("exit code of a writer process").isZero();
    }

    assertChainOf(75);
    assertThat(store.audit().records(AuditFilter.all().withPrincipal("process-1"))).hasSize(25);
  }

  private void assertChainOf(int count) {
    List<AuditRecord> records = store.audit().records(AuditFilter.all());
    assertThat(records).hasSize(count);
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < records.size(); i++) {
      assertThat(records.get(i).sequence()).isEqualTo(i + 1L);
      assertThat(records.get(i).previousHash())
          .isEqualTo(i == 0 ? AuditChain.GENESIS : records.get(i - 1).hash());
      hashes.add(records.get(i).hash());
    }
    assertThat(hashes).hasSize(count);
    assertThat(store.audit().verify()).isEqualTo(AuditVerification.ok(count));
  }

  @Test
  void namesAChangedRecord() throws SQLException {
    appendFive();

    execute("UPDATE sluice_audit SET principal = 'mallory' WHERE sequence = 3");

    AuditVerification result = store.audit().verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBadSequence()).isEqualTo(3L);
    assertThat(result.problem()).contains("record 3 was changed");
  }

  @Test
  void namesAChangedDetailEvenWithItsHashRecomputed() throws SQLException {
    appendFive();
    AuditRecord original = store.audit().records(AuditFilter.all()).get(1);
    String forgedHash =
        AuditChain.hash(
            2,
            original.at().toEpochMilli(),
            original.principal(),
            original.action().name(),
            AuditChain.names(original.tables()),
            AuditChain.names(original.columns()),
            "{\"i\":99}",
            original.previousHash());

    try (Connection connection = connect();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE sluice_audit SET details = '{\"i\":99}', hash = ? WHERE sequence = 2")) {
      update.setString(1, forgedHash);
      update.executeUpdate();
    }

    AuditVerification result = store.audit().verify();
    assertThat(result.firstBadSequence()).isEqualTo(3L);
    assertThat(result.problem()).contains("record 3 does not follow record 2");
  }

  @Test
  void namesARemovedRecord() throws SQLException {
    appendFive();

    execute("DELETE FROM sluice_audit WHERE sequence = 2");

    AuditVerification result = store.audit().verify();
    assertThat(result.firstBadSequence()).isEqualTo(2L);
    assertThat(result.problem()).contains("record 2 was removed");
  }

  @Test
  void namesRecordsRemovedFromTheEnd() throws SQLException {
    appendFive();

    execute("DELETE FROM sluice_audit WHERE sequence >= 4");

    AuditVerification result = store.audit().verify();
    assertThat(result.firstBadSequence()).isEqualTo(4L);
    assertThat(result.problem()).contains("records 4 to 5 were removed from the end");
  }

  @Test
  void namesTheFirstOfTwoSwappedRecords() throws SQLException {
    appendFive();

    // swap records 2 and 4 by their sequence numbers
    execute(
        "UPDATE sluice_audit SET sequence = -1 WHERE sequence = 2",
        "UPDATE sluice_audit SET sequence = 2 WHERE sequence = 4",
        "UPDATE sluice_audit SET sequence = 4 WHERE sequence = -1");

    AuditVerification result = store.audit().verify();
    assertThat(result.firstBadSequence()).isEqualTo(2L);
    assertThat(result.problem()).contains("record 2 was changed or moved");
  }

  @Test
  void aRecordAppendedAfterTamperingDoesNotHideIt() throws SQLException {
    appendFive();
    execute("UPDATE sluice_audit SET at = at + 1 WHERE sequence = 1");

    store.audit().append(AuditEntry.builder(AuditAction.RUN, "later", START).build());

    assertThat(store.audit().verify().firstBadSequence()).isEqualTo(1L);
  }

  private void appendFive() {
    for (int i = 0; i < 5; i++) {
      store
          .audit()
          .append(
              AuditEntry.builder(AuditAction.QUERY, "alice", START.plusSeconds(i))
                  .table("published.orders")
                  .detail("i", i)
                  .build());
    }
    assertThat(store.audit().verify().intact()).isTrue();
  }

  void execute(String... statements) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.executeUpdate(sql);
      }
    }
  }

  Connection connect() throws SQLException {
    Properties driverProperties = new Properties();
    driverProperties.putAll(properties());
    return DriverManager.getConnection(jdbcUrl(), driverProperties);
  }

  /** A second JVM that appends to the audit log of a state database. */
  static final class AuditAppender {
    private AuditAppender() {}

    static Process start(String url, Map<String, String> properties, String principal, int count)
        throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(AuditAppender.class.getName());
      command.add(url);
      command.add(principal);
      command.add(Integer.toString(count));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.INHERIT);
      properties.forEach((key, value) -> builder.environment().put("SLUICE_TEST_" + key, value));
      return builder.start();
    }

    public static void main(String[] args) {
      Map<String, String> properties = new java.util.HashMap<>();
      System.getenv()
          .forEach(
              (key, value) -> {
                if (key.startsWith("SLUICE_TEST_")) {
                  properties.put(key.substring("SLUICE_TEST_".length()), value);
                }
              });
      try (RunStore store = RunStore.open(args[0], properties)) {
        for (int i = 0; i < Integer.parseInt(args[2]); i++) {
          store
              .audit()
              .append(AuditEntry.builder(AuditAction.QUERY, args[1], START).detail("i", i).build());
        }
      }
    }
  }
}
