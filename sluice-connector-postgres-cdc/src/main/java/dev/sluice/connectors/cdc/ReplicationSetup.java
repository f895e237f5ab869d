package dev.sluice.connectors.cdc;

import static dev.sluice.api.sql.Identifiers.quote;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.connectors.jdbc.PostgresTypes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What change data capture needs on the PostgreSQL side, checked and prepared over JDBC before
 * Debezium starts, so that a missing setting or grant fails with a message saying how to fix it:
 * {@code wal_level=logical}, a role with REPLICATION and SELECT, the table, its publication and its
 * replication slot (both created when missing).
 *
 * <p>The slot's confirmed position is advanced here, to the position committed with the table's
 * data at the last load, and only here: Debezium runs with {@code flush.lsn.source=false}, so a
 * load never lets the server forget changes that are not in the lake yet.
 */
final class ReplicationSetup implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationSetup.class);

  /** How often, and how many times, to look whether the last load's connection left the slot. */
  private static final int INACTIVE_CHECKS = 50;

  private static final long INACTIVE_CHECK_MILLIS = 200;

  /** How many times {@link #hasChangesAfter} looks whether a reading connection left the slot. */
  private static final int PEEK_INACTIVE_CHECKS = 15;

  /**
   * How many decoded rows {@link #hasChangesAfter} looks at: one transaction of the table is enough
   * to tell, and the peek stops after the transaction in which this many rows were reached.
   */
  private static final int PEEK_CHANGES = 1000;

  private final CdcOptions options;
  private final String source;
  private final Connection connection;

  private ReplicationSetup(CdcOptions options, String source, Connection connection) {
    this.options = options;
    this.source = source;
    this.connection = connection;
  }

  /**
   * Connects to the database.
   *
   * @throws TransientException when the server cannot be reached
   * @throws InvalidInputException when the login is refused
   */
  static ReplicationSetup connect(CdcOptions options, String source) {
    Properties properties = new Properties();
    properties.setProperty("user", options.user());
    if (options.password() != null) {
      properties.setProperty("password", options.password());
    }
    long timeout = Math.max(1, options.connectTimeout().toSeconds());
    properties.setProperty("connectTimeout", Long.toString(timeout));
    properties.setProperty("loginTimeout", Long.toString(timeout));
    properties.setProperty("ApplicationName", "sluice source " + source);
    try {
      Connection connection = DriverManager.getConnection(options.url(), properties);
      connection.setAutoCommit(true);
      return new ReplicationSetup(options, source, connection);
    } catch (SQLException e) {
      throw failure(e, options, source);
    }
  }

  /** The slot as the server has it, or null when there is none. */
  record Slot(String plugin, String database, boolean active, LogSequenceNumber confirmedFlush) {}

  /**
   * Checks the server settings, the role's rights and the table; returns the table's columns (with
   * the types the postgres connector gives them) and its primary key.
   */
  TableShape checkTable() throws SQLException {
    String walLevel = single("SHOW wal_level");
    if (!"logical".equals(walLevel)) {
      throw new InvalidInputException(
          where()
              + " has wal_level="
              + walLevel
              + "; change data capture needs wal_level=logical: run ALTER SYSTEM SET wal_level ="
              + " logical as a superuser (or set it in postgresql.conf) and restart the server");
    }
    Boolean replication =
        bool(
            "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user",
            List.of());
    if (!Boolean.TRUE.equals(replication)) {
      throw new InvalidInputException(
          where()
              + ": role '"
              + options.user()
              + "' may not read the change stream; as a superuser run ALTER ROLE "
              + quote(options.user())
              + " WITH REPLICATION");
    }
    String relation = quote(options.schema()) + "." + quote(options.table());
    Boolean exists = bool("SELECT to_regclass(?) IS NOT NULL", List.of(relation));
    if (!Boolean.TRUE.equals(exists)) {
      throw new InvalidInputException(
          where()
              + " has no table "
              + options.qualifiedTable()
              + "; check the source table's 'schema' and 'table' options");
    }
    if (!Boolean.TRUE.equals(
        bool("SELECT has_table_privilege(CAST(? AS regclass), 'SELECT')", List.of(relation)))) {
      throw new InvalidInputException(
          where()
              + ": role '"
              + options.user()
              + "' may not read "
              + options.qualifiedTable()
              + "; run GRANT SELECT ON "
              + relation
              + " TO "
              + quote(options.user()));
    }
    List<PostgresTypes.Column> columns;
    try (Statement statement = connection.createStatement();
        ResultSet resultSet =
            statement.executeQuery("SELECT * FROM " + relation + " WHERE false")) {
      columns = PostgresTypes.columns(resultSet.getMetaData());
    }
    List<String> primaryKey = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(? AS regclass)"
                + " AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)")) {
      statement.setString(1, relation);
      try (ResultSet resultSet = statement.executeQuery()) {
        while (resultSet.next()) {
          primaryKey.add(resultSet.getString(1));
        }
      }
    }
    String identity =
        single(
            "SELECT relreplident FROM pg_class WHERE oid = CAST(? AS regclass)", List.of(relation));
    return new TableShape(columns, primaryKey, "f".equals(identity));
  }

  /** The columns and primary key of the captured table, and whether deletes carry whole rows. */
  record TableShape(
      List<PostgresTypes.Column> columns, List<String> primaryKey, boolean identityFull) {}

  /** Creates the publication when missing; checks that it publishes the table. */
  void ensurePublication() throws SQLException {
    String relation = quote(options.schema()) + "." + quote(options.table());
    if (!Boolean.TRUE.equals(
        bool(
            "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ?)",
            List.of(options.publication())))) {
      String create =
          "CREATE PUBLICATION " + quote(options.publication()) + " FOR TABLE " + relation;
      try (Statement statement = connection.createStatement()) {
        statement.execute(create);
        LOG.info("Created publication {} on {}", options.publication(), options.server());
      } catch (SQLException e) {
        throw new InvalidInputException(
            where()
                + ": cannot create publication '"
                + options.publication()
                + "' ("
                + options.secrets().redact(e.getMessage())
                + "); create it as the table's owner: "
                + create);
      }
      return;
    }
    if (!Boolean.TRUE.equals(
        bool(
            "SELECT EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND"
                + " schemaname = ? AND tablename = ?)",
            List.of(options.publication(), options.schema(), options.table())))) {
      throw new InvalidInputException(
          where()
              + ": publication '"
              + options.publication()
              + "' does not publish "
              + options.qualifiedTable()
              + "; run ALTER PUBLICATION "
              + quote(options.publication())
              + " ADD TABLE "
              + relation
              + ", or name another publication in the 'publication' option");
    }
  }

  /**
   * The slot, waiting a few seconds for the connection of a load that just ended to leave it.
   *
   * @return the slot, or null when there is none
   * @throws TransientException when another process reads the slot
   */
  Slot inactiveSlot() throws SQLException {
    for (int check = 0; ; check++) {
      Slot slot = slot();
      if (slot == null || !slot.active()) {
        if (slot != null
            && (!"pgoutput".equals(slot.plugin())
                || !slot.database().equals(options.server().database()))) {
          throw new InvalidInputException(
              where()
                  + ": replication slot '"
                  + options.slot()
                  + "' belongs to "
                  + slot.plugin()
                  + " on database "
                  + slot.database()
                  + ", not to pgoutput on "
                  + options.server().database()
                  + "; name another slot in the 'slot' option");
        }
        return slot;
      }
      if (check >= INACTIVE_CHECKS) {
        throw new TransientException(
            where()
                + ": replication slot '"
                + options.slot()
                + "' is in use by another process; each source table needs a slot of its own");
      }
      pause();
    }
  }

  private void pause() {
    try {
      Thread.sleep(INACTIVE_CHECK_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientException("Interrupted while waiting for slot " + options.slot());
    }
  }

  private Slot slot() throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT plugin, database, active, confirmed_flush_lsn FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
      statement.setString(1, options.slot());
      try (ResultSet resultSet = statement.executeQuery()) {
        if (!resultSet.next()) {
          return null;
        }
        String confirmed = resultSet.getString(4);
        return new Slot(
            resultSet.getString(1),
            resultSet.getString(2),
            resultSet.getBoolean(3),
            confirmed == null ? null : LogSequenceNumber.valueOf(confirmed));
      }
    }
  }

  /** Creates the slot with the pgoutput plugin. */
  void createSlot() throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
      statement.setString(1, options.slot());
      statement.execute();
      LOG.info("Created replication slot {} on {}", options.slot(), options.server());
    }
  }

  /**
   * Confirms to the server that the changes up to {@code position} are in the lake, so that it may
   * recycle their WAL.
   */
  void advanceSlot(LogSequenceNumber position) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT pg_replication_slot_advance(?, CAST(? AS pg_lsn))")) {
      statement.setString(1, options.slot());
      statement.setString(2, position.asString());
      statement.execute();
      LOG.debug("Advanced replication slot {} to {}", options.slot(), position);
    }
  }

  /**
   * Whether the slot holds a change of the table (an insert, update, delete or truncate published
   * to it) past {@code committed}, looked at without consuming anything. A slot confirmed behind
   * the committed position is confirmed up to it first, as a load would.
   *
   * @return true when the slot is gone or was confirmed past the committed position (the next load
   *     reads a snapshot), false while another connection reads the slot
   */
  boolean hasChangesAfter(LogSequenceNumber committed) throws SQLException {
    Slot slot = slot();
    // the connection of a load that just ended leaves the slot within a moment
    for (int check = 0; slot != null && slot.active() && check < PEEK_INACTIVE_CHECKS; check++) {
      pause();
      slot = slot();
    }
    if (slot == null) {
      return true;
    }
    if (slot.active()) {
      LOG.debug("Replication slot {} is being read; no new data to tell of", options.slot());
      return false;
    }
    if (committed != null && slot.confirmedFlush() != null) {
      int order = slot.confirmedFlush().compareTo(committed);
      if (order > 0) {
        return true;
      }
      if (order < 0) {
        advanceSlot(committed);
      }
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM pg_logical_slot_peek_binary_changes(?, NULL, ?, 'proto_version',"
                + " '1', 'publication_names', ?) WHERE get_byte(data, 0) IN (73, 85, 68, 84)")) {
      statement.setString(1, options.slot());
      statement.setInt(2, PEEK_CHANGES);
      statement.setString(3, quote(options.publication()));
      try (ResultSet resultSet = statement.executeQuery()) {
        return resultSet.next() && resultSet.getLong(1) > 0;
      }
    } catch (SQLException e) {
      if ("55006".equals(e.getSQLState())) {
        return false; // a load started reading the slot meanwhile
      }
      throw e;
    }
  }

  /** The server's current WAL position. */
  LogSequenceNumber currentPosition() throws SQLException {
    return LogSequenceNumber.valueOf(single("SELECT pg_current_wal_lsn()"));
  }

  /**
   * Writes a logical decoding message into the WAL: when the change stream reaches it, every change
   * committed before it was written has been read.
   */
  void emitMarker(String prefix, String content) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
      statement.setString(1, prefix);
      statement.setString(2, content);
      statement.execute();
    }
  }

  private String where() {
    return where(options, source);
  }

  static String where(CdcOptions options, String source) {
    return "Source '" + source + "' (postgres at " + options.server() + ")";
  }

  /** The exception for a failed connection or statement, naming source, server and cause. */
  static RuntimeException failure(SQLException e, CdcOptions options, String source) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String cause = options.secrets().redact(e.getMessage());
    String where = where(options, source);
    // the SQLException is not kept as the cause: its message could quote a secret
    if (state.startsWith("08") || state.startsWith("57") || state.startsWith("53")) {
      return new TransientException(where + " cannot be reached: " + cause);
    }
    if (state.startsWith("28") || state.equals("3D000")) {
      return new InvalidInputException(
          where + " refused the login: " + cause + "; check url, user and password");
    }
    if (state.equals("42501")) {
      return new InvalidInputException(
          where
              + ": permission denied ("
              + cause
              + "); the role needs REPLICATION and SELECT on the table, see the postgres_cdc"
              + " connector's docs");
    }
    return new InvalidInputException(where + ": " + cause);
  }

  private String single(String sql) throws SQLException {
    return single(sql, List.of());
  }

  private String single(String sql, List<String> parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setString(i + 1, parameters.get(i));
      }
      try (ResultSet resultSet = statement.executeQuery()) {
        return resultSet.next() ? resultSet.getString(1) : null;
      }
    }
  }

  private Boolean bool(String sql, List<String> parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setString(i + 1, parameters.get(i));
      }
      try (ResultSet resultSet = statement.executeQuery()) {
        if (!resultSet.next()) {
          return null;
        }
        boolean value = resultSet.getBoolean(1);
        return resultSet.wasNull() ? null : value;
      }
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("Cannot close the connection to {}", options.server(), e);
    }
  }
}
