package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.SluiceException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of every run: its steps, their timings, the rows and bytes they moved, the snapshots
 * they committed and the checks they ran, with the locks, schedule ticks, events, plans and
 * partitions that go with them. It lives in a state database, an SQLite file by default or
 * PostgreSQL for shared use, whose schema Flyway migrations keep up to date.
 *
 * <p>The store hands out one part per concern: {@link #runs()}, {@link #steps()}, {@link #locks()},
 * {@link #scheduleTicks()}, {@link #events()}, {@link #plans()}, {@link #partitions()}, {@link
 * #metrics()}, {@link #audit()}, {@link #accessRequests()}, {@link #tokens()}, {@link
 * #passwords()}, {@link #environments()}, {@link #promotions()}, {@link #builtModels()}, {@link
 * #costs()}, {@link #workers()} and {@link #stepQueue()}. They share one connection and its
 * transactions: {@link #inOneTransaction} makes the records of several parts in one.
 *
 * <p>A run and each of its steps start as {@code RUNNING} and are finished exactly once. Times are
 * kept to the millisecond.
 *
 * <p>The store and its parts are safe for use by many threads: they share one connection, one
 * statement at a time. Other processes may use the same database at the same time; with SQLite, a
 * writer waits for the others (WAL journal, busy timeout) rather than failing.
 *
 * <p>Every method of every part throws {@link SluiceException} when the database fails, with a
 * message that names the database but never its password, {@link NullPointerException} for a null
 * argument that is not marked nullable, and {@link IllegalStateException} once the store is closed.
 */
public final class RunStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunStore.class);

  private final StateTransactions transactions;
  private final Runs runs;
  private final RunSteps steps;
  private final Locks locks;
  private final ScheduleTicks scheduleTicks;
  private final RunEvents events;
  private final RunPlans plans;
  private final Partitions partitions;
  private final AuditLog audit;
  private final AccessRequests accessRequests;
  private final ApiTokens tokens;
  private final UserPasswords passwords;
  private final AlertIncidents alertIncidents;
  private final EnvironmentRecords environments;
  private final PromotionRecords promotions;
  private final MetricHistory metrics;
  private final BuiltModels builtModels;
  private final DerivedCache derivedCache;
  private final CostRecords costs;
  private final FreshnessBreaches freshnessBreaches;
  private final Workers workers;
  private final RunHistory history;
  private final StepQueue stepQueue;
  private final boolean shared;

  private RunStore(StateDatabase database, Connection connection) {
    this.transactions = new StateTransactions(database, connection);
    // Fencing is shared: a run this store started fences the writes of its steps, events, plan and
    // partitions too.
    Fencing fencing = new Fencing();
    this.runs = new Runs(transactions, fencing);
    this.steps = new RunSteps(transactions, fencing);
    this.locks = new Locks(transactions);
    this.scheduleTicks = new ScheduleTicks(transactions);
    this.events = new RunEvents(transactions, fencing);
    this.plans = new RunPlans(transactions, fencing);
    this.partitions = new Partitions(transactions, fencing);
    this.audit = new AuditLog(transactions, database.secrets());
    this.accessRequests = new AccessRequests(transactions);
    this.tokens = new ApiTokens(transactions);
    this.passwords = new UserPasswords(transactions);
    this.alertIncidents = new AlertIncidents(transactions);
    this.environments = new EnvironmentRecords(transactions);
    this.promotions = new PromotionRecords(transactions);
    this.metrics = new MetricHistory(transactions, fencing);
    this.builtModels = new BuiltModels(transactions);
    this.derivedCache = new DerivedCache(transactions);
    this.costs = new CostRecords(transactions, fencing);
    this.freshnessBreaches = new FreshnessBreaches(transactions);
    this.workers = new Workers(transactions);
    this.history = new RunHistory(transactions);
    this.shared = database.vendor() == StateDatabase.Vendor.POSTGRESQL;
    this.stepQueue = new StepQueue(transactions, new QueueSignals(database), shared);
  }

  /**
   * Opens the state database at a JDBC URL and brings its schema up to date. For SQLite, the
   * directory of the database file is created when missing.
   *
   * @param jdbcUrl {@code jdbc:sqlite:<path>} or {@code jdbc:postgresql://<host>:<port>/<db>}
   * @param properties driver properties, such as {@code user} and {@code password}; they override
   *     the store's defaults (for SQLite: WAL journal, 10 s busy timeout, foreign keys on)
   * @throws SluiceException if the URL names no supported database, the database cannot be reached
   *     or a migration fails; the message never contains a password
   */
  public static RunStore open(String jdbcUrl, Map<String, String> properties) {
    StateDatabase database = StateDatabase.of(jdbcUrl, properties);
    database.migrate();
    Connection connection;
    try {
      connection = database.getConnection();
    } catch (SQLException e) {
      throw database.failure("connect", e);
    }
    log.debug("Opened run state database {}", database.describe());
    return new RunStore(database, connection);
  }

  /** Runs: their start and end, owners, heartbeats, takeover, cancellation and history. */
  public Runs runs() {
    return runs;
  }

  /** The steps of runs and the checks they ran. */
  public RunSteps steps() {
    return steps;
  }

  /** Locks and leases on resources, shared across processes. */
  public Locks locks() {
    return locks;
  }

  /** The last tick each schedule was dealt with. */
  public ScheduleTicks scheduleTicks() {
    return scheduleTicks;
  }

  /** The timeline of each run. */
  public RunEvents events() {
    return events;
  }

  /** The steps each run planned. */
  public RunPlans plans() {
    return plans;
  }

  /** What is known of the partitions of each partitioned asset. */
  public Partitions partitions() {
    return partitions;
  }

  /** What every step wrote to each table and partition: rows, bytes, files, column profiles. */
  public MetricHistory metrics() {
    return metrics;
  }

  /** The freshness SLO breaches of assets ({@code freshness:}, {@code slo:}). */
  public FreshnessBreaches freshnessBreaches() {
    return freshnessBreaches;
  }

  /** The open incidents of the alert rules ({@code alerts:} in sluice.yaml). */
  public AlertIncidents alertIncidents() {
    return alertIncidents;
  }

  /** The development environments: when and from what each was built, and its tables. */
  public EnvironmentRecords environments() {
    return environments;
  }

  /** What each model was built from (its SQL and metadata), by fingerprint. */
  public BuiltModels builtModels() {
    return builtModels;
  }

  /** What commands derived from unchanged inputs: validate's schemas, tables' summaries. */
  public DerivedCache derivedCache() {
    return derivedCache;
  }

  /** The promotions of environments to production: their plans and progress. */
  public PromotionRecords promotions() {
    return promotions;
  }

  /** What steps and queries consumed and what tables hold in storage (cost accounting). */
  public CostRecords costs() {
    return costs;
  }

  /** The worker processes that share this store ({@code sluice serve --worker}). */
  public Workers workers() {
    return workers;
  }

  /** The pruning of old runs ({@code sluice runs prune}). */
  public RunHistory history() {
    return history;
  }

  /** The steps runs hand to the workers; needs a {@linkplain #shared() shared} database. */
  public StepQueue stepQueue() {
    return stepQueue;
  }

  /**
   * Whether the database can be shared by processes on several hosts (PostgreSQL), as workers need;
   * an SQLite file cannot.
   */
  public boolean shared() {
    return shared;
  }

  /** The database's URL with any password masked: safe to show. */
  public String describe() {
    return transactions.describe();
  }

  /** The append-only, tamper-evident audit log. */
  public AuditLog audit() {
    return audit;
  }

  /** Requests for access to tables, their decisions and the time-bound grants they give. */
  public AccessRequests accessRequests() {
    return accessRequests;
  }

  /** The server's API tokens (their hashes). */
  public ApiTokens tokens() {
    return tokens;
  }

  /** The password hashes of the people who sign in to the server. */
  public UserPasswords passwords() {
    return passwords;
  }

  /**
   * Makes the records of {@code work} (calls of this store's parts on this thread) in one
   * transaction: one commit, and one write of SQLite's log, instead of one each. The scheduler
   * records a step's start with its timeline event, and its end with its checks and events, so.
   * Other threads wait for the transaction, as they wait for any record. Nested calls join the
   * outer transaction.
   */
  public <T> T inOneTransaction(String action, Supplier<T> work) {
    requireNonNull(work, "work is null");
    return transactions.inOneTransaction(action, work);
  }

  /** Closes the connection to the state database. Closing twice does nothing. */
  @Override
  public void close() {
    stepQueue.changes().close();
    transactions.close();
  }
}
