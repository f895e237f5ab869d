package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.StatementDescription;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;

/**
 * A step's engine session whose every call counts as {@link StepPhase#ENGINE} in the step's {@link
 * PhaseTimer}: what the engine itself takes, apart from Sluice's work around it. It overrides every
 * method of {@link EngineSession}, defaults included, so that the wrapped session's own answers
 * reach the step (a default left alone answers for every engine: {@code TimedEngineSessionTest}).
 */
final class TimedEngineSession implements EngineSession {
  private final EngineSession session;

  TimedEngineSession(EngineSession session) {
    this.session = requireNonNull(session, "session is null");
  }

  @Override
  public void registerTable(TableName name, Schema schema, List<String> dataFiles) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.registerTable(name, schema, dataFiles));
  }

  @Override
  public void registerTable(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.registerTable(name, schema, dataFiles, mapping));
  }

  @Override
  public String readFiles(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    return PhaseTimer.time(
        StepPhase.ENGINE, () -> session.readFiles(name, schema, dataFiles, mapping));
  }

  @Override
  public void registerTableWithFiles(
      TableName name,
      Schema schema,
      List<String> dataFiles,
      ColumnMapping mapping,
      String fileColumn) {
    PhaseTimer.run(
        StepPhase.ENGINE,
        () -> session.registerTableWithFiles(name, schema, dataFiles, mapping, fileColumn));
  }

  @Override
  public void registerTextFunction(String name, UnaryOperator<String> function) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.registerTextFunction(name, function));
  }

  @Override
  public void registerNumberFunction(String name, LongUnaryOperator function) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.registerNumberFunction(name, function));
  }

  @Override
  public String temporaryTableReference(String name) {
    return session.temporaryTableReference(name);
  }

  @Override
  public String structExpression(java.util.Map<String, String> fields) {
    return session.structExpression(fields);
  }

  @Override
  public String stringLiteral(String value) {
    return session.stringLiteral(value);
  }

  @Override
  public String timestampWithTimeZoneLiteral(java.time.Instant instant) {
    return session.timestampWithTimeZoneLiteral(instant);
  }

  @Override
  public String hashExpression(List<String> expressions) {
    return session.hashExpression(expressions);
  }

  @Override
  public void registerView(TableName name, String sql) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.registerView(name, sql));
  }

  @Override
  public ParsedSelect parseSelect(String sql) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.parseSelect(sql));
  }

  @Override
  public void execute(String sql) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.execute(sql));
  }

  @Override
  public QueryResult query(String sql, int maxRows) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.query(sql, maxRows));
  }

  @Override
  public QueryResult query(String sql, List<Object> parameters, int maxRows) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.query(sql, parameters, maxRows));
  }

  @Override
  public StatementDescription prepare(String sql) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.prepare(sql));
  }

  @Override
  public Schema describe(String sql) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.describe(sql));
  }

  @Override
  public long createTemporaryTable(String name, String sql) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.createTemporaryTable(name, sql));
  }

  @Override
  public void dropTemporaryTable(String name) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.dropTemporaryTable(name));
  }

  @Override
  public void dropTemporaryTablesAfter(RuntimeException failure, String... names) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.dropTemporaryTablesAfter(failure, names));
  }

  @Override
  public java.util.Optional<dev.sluice.api.engine.FooterStatistics> footerStatistics(
      Schema schema, List<String> dataFiles) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.footerStatistics(schema, dataFiles));
  }

  @Override
  public WrittenFile writeParquet(
      String sql,
      Schema schema,
      Path target,
      dev.sluice.api.engine.ParquetCompression compression) {
    return PhaseTimer.time(
        StepPhase.ENGINE, () -> session.writeParquet(sql, schema, target, compression));
  }

  @Override
  public WrittenFile writeParquet(String sql, Schema schema, Path target) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.writeParquet(sql, schema, target));
  }

  @Override
  public boolean readsObjectStoreLocations() {
    return session.readsObjectStoreLocations();
  }

  @Override
  public WrittenFile writeParquet(String sql, Schema schema, String directory) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.writeParquet(sql, schema, directory));
  }

  @Override
  public WrittenFile writeParquet(
      String sql,
      Schema schema,
      String directory,
      dev.sluice.api.engine.ParquetCompression compression) {
    return PhaseTimer.time(
        StepPhase.ENGINE, () -> session.writeParquet(sql, schema, directory, compression));
  }

  @Override
  public boolean mergesIntoLakeTables() {
    return session.mergesIntoLakeTables();
  }

  @Override
  public void mergeIntoLakeTable(TableName table, String branch, String rows, List<String> keys) {
    PhaseTimer.run(StepPhase.ENGINE, () -> session.mergeIntoLakeTable(table, branch, rows, keys));
  }

  @Override
  public void cancel() {
    session.cancel();
  }

  @Override
  public RowWriter openRowWriter(String name, Schema schema) {
    return PhaseTimer.time(StepPhase.ENGINE, () -> session.openRowWriter(name, schema));
  }

  @Override
  public void close() {
    PhaseTimer.run(StepPhase.ENGINE, session::close);
  }
}
