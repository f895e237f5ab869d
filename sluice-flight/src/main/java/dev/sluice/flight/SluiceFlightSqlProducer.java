package dev.sluice.flight;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.StatementDescription;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.governance.Privilege;
import dev.sluice.lake.ReadPoint;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.BasicFlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlNullOrdering;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedCaseSensitivity;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedTransaction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow Flight SQL over the query service: every statement and prepared statement runs through
 * {@link QueryService} as the signed-in principal, so its grants, column masks and row filters
 * apply and the query (or its refusal) is in the audit log, exactly as for {@code sluice query
 * --as}. Metadata (schemas, tables, their columns) lists only the tables the principal may read,
 * with the columns it sees. Read-only: updates are refused.
 *
 * <p>A statement runs when the client asks for its {@link FlightInfo}; its rows wait under a random
 * handle, for the same session only, until the client fetches them (or {@link #RESULT_TTL_MINUTES}
 * pass). At most {@link #MAX_ROWS} rows are sent; a larger result is cut there and ends with an
 * error saying so, so that no client mistakes a part for the whole.
 */
final class SluiceFlightSqlProducer extends BasicFlightSqlProducer {
  /** The most rows a statement sends: the query service holds a result in memory. */
  static final int MAX_ROWS = 100_000;

  static final int BATCH_ROWS = 4_096;
  static final int RESULT_TTL_MINUTES = 10;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Rows of a statement that ran, waiting for its client. */
  private record Pending(String identity, Schema schema, QueryResult result) {}

  /** A prepared statement, and the parameter values its client bound last. */
  private static final class Prepared {
    final String identity;
    final String sql;
    final Schema parameterSchema;
    volatile List<Object> parameters = List.of();

    Prepared(String identity, String sql, Schema parameterSchema) {
      this.identity = identity;
      this.sql = sql;
      this.parameterSchema = parameterSchema;
    }
  }

  private final Supplier<Workspace> workspace;
  private final FlightAuthentication authentication;
  private final BufferAllocator allocator;
  private final SqlInfoBuilder sqlInfo;
  private final Cache<ByteString, Pending> results =
      CacheBuilder.newBuilder()
          .maximumSize(1_000)
          .expireAfterWrite(RESULT_TTL_MINUTES, TimeUnit.MINUTES)
          .build();
  private final Cache<ByteString, Prepared> prepared =
      CacheBuilder.newBuilder().maximumSize(10_000).expireAfterAccess(8, TimeUnit.HOURS).build();

  SluiceFlightSqlProducer(
      Supplier<Workspace> workspace,
      FlightAuthentication authentication,
      BufferAllocator allocator) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.authentication = requireNonNull(authentication, "authentication is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    String version = SluiceFlightSqlProducer.class.getPackage().getImplementationVersion();
    this.sqlInfo =
        new SqlInfoBuilder()
            .withFlightSqlServerName("Sluice")
            .withFlightSqlServerVersion(version == null ? "development build" : version)
            .withFlightSqlServerArrowVersion(Schema.class.getPackage().getImplementationVersion())
            .withFlightSqlServerReadOnly(true)
            .withFlightSqlServerSql(true)
            .withFlightSqlServerSubstrait(false)
            .withFlightSqlServerTransaction(SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
            .withFlightSqlServerCancel(false)
            .withSqlIdentifierQuoteChar("\"")
            .withSqlSearchStringEscape("\\")
            .withSqlSchemaTerm("zone")
            .withSqlCatalogTerm("catalog")
            .withSqlDdlCatalog(false)
            .withSqlDdlSchema(false)
            .withSqlDdlTable(false)
            .withSqlIdentifierCase(
                SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
            .withSqlQuotedIdentifierCase(
                SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
            .withSqlAllTablesAreSelectable(false)
            .withSqlNullOrdering(SqlNullOrdering.SQL_NULLS_SORTED_AT_END)
            .withSqlTransactionsSupported(false)
            .withSqlNamedParametersSupported(false)
            .withSqlBatchUpdatesSupported(false);
  }

  // ---- statements

  @Override
  public FlightInfo getFlightInfoStatement(
      FlightSql.CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    try {
      Principal principal = authentication.principal(context);
      QueryResult result =
          queryService()
              .query(command.getQuery(), List.of(), ReadPoint.main(), MAX_ROWS, principal);
      return pending(context, result, descriptor);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public SchemaResult getSchemaStatement(
      FlightSql.CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    try {
      StatementDescription description =
          queryService().prepare(command.getQuery(), authentication.principal(context));
      return new SchemaResult(ArrowRows.schema(description.columns(), description.types()));
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public void getStreamStatement(
      FlightSql.TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    ByteString handle = ticket.getStatementHandle();
    Pending pending = results.getIfPresent(handle);
    if (pending == null || !pending.identity().equals(context.peerIdentity())) {
      listener.error(
          CallStatus.NOT_FOUND
              .withDescription(
                  "No result for this ticket: it was fetched already, or it waited more than "
                      + RESULT_TTL_MINUTES
                      + " minutes; run the statement again")
              .toRuntimeException());
      return;
    }
    results.invalidate(handle);
    stream(pending.schema(), pending.result(), listener);
  }

  // ---- prepared statements

  @Override
  public void createPreparedStatement(
      FlightSql.ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    try {
      Principal principal = authentication.principal(context);
      StatementDescription description = queryService().prepare(request.getQuery(), principal);
      Schema dataset = ArrowRows.schema(description.columns(), description.types());
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= description.parameterTypes().size(); i++) {
        names.add("parameter_" + i);
      }
      Schema parameters = ArrowRows.schema(names, description.parameterTypes());
      ByteString handle = newHandle();
      prepared.put(handle, new Prepared(context.peerIdentity(), request.getQuery(), parameters));
      FlightSql.ActionCreatePreparedStatementResult result =
          FlightSql.ActionCreatePreparedStatementResult.newBuilder()
              .setPreparedStatementHandle(handle)
              .setDatasetSchema(ByteString.copyFrom(dataset.serializeAsMessage()))
              .setParameterSchema(ByteString.copyFrom(parameters.serializeAsMessage()))
              .build();
      listener.onNext(new Result(Any.pack(result).toByteArray()));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e));
    }
  }

  @Override
  public Runnable acceptPutPreparedStatementQuery(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    return () -> {
      try {
        Prepared statement = find(command.getPreparedStatementHandle(), context);
        List<Object> values = null;
        while (stream.next()) {
          VectorSchemaRoot root = stream.getRoot();
          if (root.getRowCount() == 0) {
            continue;
          }
          if (values != null || root.getRowCount() > 1) {
            throw CallStatus.INVALID_ARGUMENT
                .withDescription(
                    "Bind one set of parameter values at a time: Sluice runs a query once per"
                        + " execution (no batches)")
                .toRuntimeException();
          }
          values = new ArrayList<>();
          for (FieldVector vector : root.getFieldVectors()) {
            values.add(ArrowRows.parameter(vector, 0));
          }
        }
        int expected = statement.parameterSchema.getFields().size();
        if (values != null && values.size() != expected) {
          throw CallStatus.INVALID_ARGUMENT
              .withDescription(
                  "The statement takes " + expected + " parameter(s), not " + values.size())
              .toRuntimeException();
        }
        statement.parameters = values == null ? List.of() : nullable(values);
        ackStream.onCompleted();
      } catch (RuntimeException e) {
        ackStream.onError(FlightErrors.toFlight(e));
      }
    };
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightDescriptor descriptor) {
    try {
      Prepared statement = find(command.getPreparedStatementHandle(), context);
      int expected = statement.parameterSchema.getFields().size();
      if (statement.parameters.size() != expected) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "The statement takes "
                    + expected
                    + " parameter(s) ('?'): bind a value to each before running it")
            .toRuntimeException();
      }
      QueryResult result =
          queryService()
              .query(
                  statement.sql,
                  statement.parameters,
                  ReadPoint.main(),
                  MAX_ROWS,
                  authentication.principal(context));
      return pending(context, result, descriptor);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public void getStreamPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      ServerStreamListener listener) {
    listener.error(
        CallStatus.INVALID_ARGUMENT
            .withDescription(
                "Fetch a prepared statement's rows with the ticket its FlightInfo gave")
            .toRuntimeException());
  }

  @Override
  public void closePreparedStatement(
      FlightSql.ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    Prepared statement = prepared.getIfPresent(request.getPreparedStatementHandle());
    if (statement != null && statement.identity.equals(context.peerIdentity())) {
      prepared.invalidate(request.getPreparedStatementHandle());
    }
    listener.onCompleted();
  }

  // ---- updates: refused

  @Override
  public Runnable acceptPutStatement(
      FlightSql.CommandStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    throw readOnly();
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      FlightSql.CommandPreparedStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    throw readOnly();
  }

  // ---- metadata

  @Override
  public void getStreamSqlInfo(
      FlightSql.CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    try {
      authentication.principal(context);
      sqlInfo.send(command.getInfoList(), listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    // Tables are named zone.table: no catalogs (a name with one is refused by the sandbox)
    send(Schemas.GET_CATALOGS_SCHEMA, List.of(), context, listener);
  }

  @Override
  public void getStreamSchemas(
      FlightSql.CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    try {
      Principal principal = authentication.principal(context);
      LikePattern pattern =
          LikePattern.of(
              command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null);
      Set<String> zones = new TreeSet<>();
      if (!namesCatalog(command.hasCatalog() ? command.getCatalog() : null)) {
        for (TableName table : readableTables(principal)) {
          if (pattern.matches(table.zone())) {
            zones.add(table.zone());
          }
        }
      }
      List<List<Object>> rows = new ArrayList<>();
      for (String zone : zones) {
        rows.add(java.util.Arrays.asList(null, zone));
      }
      send(Schemas.GET_SCHEMAS_SCHEMA, rows, context, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public void getStreamTables(
      FlightSql.CommandGetTables command, CallContext context, ServerStreamListener listener) {
    try {
      Principal principal = authentication.principal(context);
      LikePattern zones =
          LikePattern.of(
              command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null);
      LikePattern names =
          LikePattern.of(
              command.hasTableNameFilterPattern() ? command.getTableNameFilterPattern() : null);
      Set<String> types = new java.util.HashSet<>(command.getTableTypesList());
      List<List<Object>> rows = new ArrayList<>();
      if (!namesCatalog(command.hasCatalog() ? command.getCatalog() : null)) {
        Workspace current = workspace.get();
        for (TableName table : readableTables(principal)) {
          if (!zones.matches(table.zone()) || !names.matches(table.name())) {
            continue;
          }
          String type = current.lake().findView(table).isPresent() ? "VIEW" : "TABLE";
          if (!types.isEmpty() && !types.contains(type)) {
            continue;
          }
          List<Object> row =
              new ArrayList<>(java.util.Arrays.asList(null, table.zone(), table.name(), type));
          if (command.getIncludeSchema()) {
            StatementDescription columns =
                queryService().prepare("select * from " + table.quoted(), principal);
            row.add(ArrowRows.schema(columns.columns(), columns.types()).serializeAsMessage());
          }
          rows.add(row);
        }
      }
      send(
          command.getIncludeSchema()
              ? Schemas.GET_TABLES_SCHEMA
              : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
          rows,
          context,
          listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    send(
        Schemas.GET_TABLE_TYPES_SCHEMA,
        List.of(List.of("TABLE"), List.of("VIEW")),
        context,
        listener);
  }

  @Override
  public void getStreamTypeInfo(
      FlightSql.CommandGetXdbcTypeInfo request,
      CallContext context,
      ServerStreamListener listener) {
    send(Schemas.GET_TYPE_INFO_SCHEMA, List.of(), context, listener);
  }

  @Override
  public void getStreamPrimaryKeys(
      FlightSql.CommandGetPrimaryKeys command, CallContext context, ServerStreamListener listener) {
    // Iceberg tables have no primary keys to declare
    send(Schemas.GET_PRIMARY_KEYS_SCHEMA, List.of(), context, listener);
  }

  @Override
  public void getStreamExportedKeys(
      FlightSql.CommandGetExportedKeys command,
      CallContext context,
      ServerStreamListener listener) {
    send(Schemas.GET_EXPORTED_KEYS_SCHEMA, List.of(), context, listener);
  }

  @Override
  public void getStreamImportedKeys(
      FlightSql.CommandGetImportedKeys command,
      CallContext context,
      ServerStreamListener listener) {
    send(Schemas.GET_IMPORTED_KEYS_SCHEMA, List.of(), context, listener);
  }

  @Override
  public void getStreamCrossReference(
      FlightSql.CommandGetCrossReference command,
      CallContext context,
      ServerStreamListener listener) {
    send(Schemas.GET_CROSS_REFERENCE_SCHEMA, List.of(), context, listener);
  }

  @Override
  protected <T extends Message> List<FlightEndpoint> determineEndpoints(
      T request, FlightDescriptor descriptor, Schema schema) {
    return List.of(new FlightEndpoint(new Ticket(Any.pack(request).toByteArray())));
  }

  @Override
  public void close() {
    results.invalidateAll();
    prepared.invalidateAll();
  }

  // ---- helpers

  private QueryService queryService() {
    return new QueryService(workspace.get());
  }

  /** The tables {@code principal} may read: every one for the owner, else those it is granted. */
  private List<TableName> readableTables(Principal principal) {
    Workspace current = workspace.get();
    List<TableName> tables = current.lake().listTables();
    if (principal.owner()) {
      return tables;
    }
    AccessPolicy policy = new QueryService(current).policy();
    return tables.stream()
        .filter(table -> !policy.grantsOf(principal, table, Privilege.READ).isEmpty())
        .toList();
  }

  /** Whether a request names a catalog: Sluice has none, so it lists nothing then. */
  private static boolean namesCatalog(String catalog) {
    return catalog != null && !catalog.isEmpty();
  }

  private FlightInfo pending(CallContext context, QueryResult result, FlightDescriptor descriptor) {
    Schema schema = ArrowRows.schema(result.columns(), result.types());
    ByteString handle = newHandle();
    results.put(handle, new Pending(context.peerIdentity(), schema, result));
    FlightSql.TicketStatementQuery ticket =
        FlightSql.TicketStatementQuery.newBuilder().setStatementHandle(handle).build();
    return new FlightInfo(
        schema,
        descriptor,
        List.of(new FlightEndpoint(new Ticket(Any.pack(ticket).toByteArray()))),
        -1,
        result.rows().size());
  }

  private Prepared find(ByteString handle, CallContext context) {
    Prepared statement = prepared.getIfPresent(handle);
    if (statement == null || !statement.identity.equals(context.peerIdentity())) {
      throw CallStatus.NOT_FOUND
          .withDescription(
              "No such prepared statement: it was closed, or the server restarted; prepare it"
                  + " again")
          .toRuntimeException();
    }
    authentication.principal(context);
    return statement;
  }

  /** Sends a metadata result after checking that the caller is signed in. */
  private void send(
      Schema schema, List<List<Object>> rows, CallContext context, ServerStreamListener listener) {
    try {
      authentication.principal(context);
      stream(schema, new QueryResult(List.of(), List.of(), rows, false), listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  /** Streams rows in batches; a result cut at {@link #MAX_ROWS} ends with an error saying so. */
  private void stream(Schema schema, QueryResult result, ServerStreamListener listener) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      listener.start(root);
      List<List<Object>> rows = result.rows();
      for (int from = 0; from < rows.size(); from += BATCH_ROWS) {
        ArrowRows.fill(root, rows, from, Math.min(rows.size(), from + BATCH_ROWS));
        listener.putNext();
      }
      if (result.truncated()) {
        listener.error(
            CallStatus.RESOURCE_EXHAUSTED
                .withDescription(
                    "The result has more than "
                        + MAX_ROWS
                        + " rows, the most the Flight SQL endpoint sends; the first "
                        + MAX_ROWS
                        + " were sent: add a LIMIT, a WHERE or an aggregate")
                .toRuntimeException());
        return;
      }
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  private static ByteString newHandle() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return ByteString.copyFrom(bytes);
  }

  private static List<Object> nullable(List<Object> values) {
    return java.util.Collections.unmodifiableList(new ArrayList<>(values));
  }

  private static RuntimeException readOnly() {
    return CallStatus.UNIMPLEMENTED
        .withDescription(
            "Sluice's Flight SQL endpoint is read-only: tables change through the project ('sluice"
                + " run'), not through SQL")
        .toRuntimeException();
  }

  /** For tests: how many results wait for their client. */
  long pendingResults() {
    return results.size();
  }
}
