package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.util.TablesNamesFinder;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.view.SQLViewRepresentation;
import org.apache.iceberg.view.View;

/**
 * Makes lake tables and views readable in an engine session under their names, reading the version
 * the caller asks for. Views are registered with the tables their SQL reads.
 */
public final class Relations {
  /** Hears of the data files planned for each read, for cost accounting. */
  @FunctionalInterface
  public interface ReadListener {
    /** A read of {@code files} data files holding {@code bytes} bytes was planned. */
    void planned(long files, long bytes);

    /** A listener that ignores reads. */
    ReadListener NONE = (files, bytes) -> {};
  }

  private final Lake lake;
  private final EngineSession session;
  private final ReadPoint readPoint;
  private final ReadListener reads;
  private final Set<TableName> registered = new HashSet<>();
  private final java.util.Map<TableName, Long> snapshotsRead =
      new java.util.concurrent.ConcurrentHashMap<>();

  public Relations(Lake lake, EngineSession session, ReadPoint readPoint) {
    this(lake, session, readPoint, ReadListener.NONE);
  }

  /** Relations that tell {@code reads} of every read they plan. */
  public Relations(Lake lake, EngineSession session, ReadPoint readPoint, ReadListener reads) {
    this.reads = requireNonNull(reads, "reads is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
    this.readPoint = requireNonNull(readPoint, "readPoint is null");
  }

  /**
   * Registers a table or view.
   *
   * @throws InvalidInputException when it does not exist
   */
  public void register(TableName name) {
    if (!tryRegister(name)) {
      throw new InvalidInputException(
          "Table " + name + " does not exist yet: run 'sluice run' to build it, or check its name");
    }
  }

  /** Registers a table or view if it exists; returns whether it does. */
  public boolean tryRegister(TableName name) {
    if (registered.contains(name)) {
      return true;
    }
    Optional<View> view = lake.findView(name, readPoint);
    if (view.isPresent()) {
      registered.add(name);
      String sql = viewSql(view.get());
      for (TableName dependency : viewInputs(sql)) {
        tryRegister(dependency);
      }
      session.registerView(name, sql);
      return true;
    }
    Optional<org.apache.iceberg.Table> table = lake.findTable(name);
    if (table.isEmpty()) {
      return false;
    }
    TableScanFiles scan = lake.scan(name, table.get(), readPoint);
    session.registerTable(name, scan.schema(), scan.dataFiles(), scan.columnMapping());
    registered.add(name);
    noteSnapshot(scan);
    return true;
  }

  /**
   * Registers the given tables; when there is exactly one, only the files that may match {@code
   * filter} (see {@link Lake#scan(TableName, ReadPoint, Expression)}).
   */
  public void registerTables(Set<TableName> tables, Expression filter) {
    if (tables.size() == 1) {
      TableName only = tables.iterator().next();
      if (lake.findView(only, readPoint).isEmpty() && lake.findTable(only).isPresent()) {
        TableScanFiles scan = lake.scan(only, readPoint, filter);
        session.registerTable(only, scan.schema(), scan.dataFiles(), scan.columnMapping());
        registered.add(only);
        noteSnapshot(scan);
        return;
      }
    }
    tables.forEach(this::tryRegister);
  }

  /**
   * The snapshot of each table registered so far (views' tables included); tables without data are
   * left out. What a partition was built from, to tell later whether its inputs changed.
   */
  public java.util.Map<TableName, Long> snapshotsRead() {
    return java.util.Map.copyOf(snapshotsRead);
  }

  private void noteSnapshot(TableScanFiles scan) {
    reads.planned(scan.dataFiles().size(), scan.dataBytes());
    if (scan.snapshotId() != null) {
      snapshotsRead.put(scan.name(), scan.snapshotId());
    }
  }

  /** A view's DuckDB SQL. */
  public static String viewSql(View view) {
    SQLViewRepresentation representation = view.sqlFor("duckdb");
    if (representation == null) {
      throw new InvalidInputException("View " + view.name() + " has no DuckDB SQL");
    }
    return representation.sql();
  }

  /**
   * The qualified tables a query names (a zone's, or a dbt schema's: {@code main.customers}), or
   * null when the parser cannot read the query.
   */
  /**
   * The tables a view's SQL reads: by the SQL parser, else (SQL it cannot read, e.g. dbt-labs'
   * jaffle-shop's stg_products) by the engine's own parser, which read it when the view was made.
   */
  private Set<TableName> viewInputs(String sql) {
    Set<TableName> tables = referencedTables(sql);
    if (tables != null) {
      return tables;
    }
    Set<TableName> read = new LinkedHashSet<>();
    for (dev.sluice.api.engine.TableReference reference : session.parseSelect(sql).tables()) {
      String schema = reference.schema().toLowerCase(java.util.Locale.ROOT);
      if (TableName.isIdentifier(schema) && !reference.name().isEmpty()) {
        read.add(new TableName(schema, reference.name()));
      }
    }
    return read;
  }

  public static Set<TableName> referencedTables(String sql) {
    Set<String> names;
    try {
      names = TablesNamesFinder.findTables(sql);
    } catch (JSQLParserException | RuntimeException e) {
      return null;
    }
    Set<TableName> tables = new LinkedHashSet<>();
    for (String name : names) {
      String[] parts = name.replace("\"", "").split("\\.", -1);
      if (parts.length == 2 && TableName.isIdentifier(parts[0]) && !parts[1].isEmpty()) {
        tables.add(new TableName(parts[0].toLowerCase(java.util.Locale.ROOT), parts[1]));
      }
    }
    return tables;
  }
}
