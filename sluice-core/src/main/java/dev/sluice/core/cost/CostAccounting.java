package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.CostPrices;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.QueryUsage;
import dev.sluice.core.state.StepUsage;
import dev.sluice.core.state.StorageSample;
import dev.sluice.lake.Lake;
import dev.sluice.lake.TableStorage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what steps and queries consumed and what tables hold (recorded in the run store) into money
 * with sluice.yaml's {@code cost:} prices: the showback of {@code sluice cost}, and the
 * month-to-date spending that budgets are checked against.
 */
public final class CostAccounting {
  private static final Logger log = LoggerFactory.getLogger(CostAccounting.class);
  private static final BigDecimal MILLIS_PER_HOUR = BigDecimal.valueOf(3_600_000L);
  private static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1_000_000_000L);
  private static final BigDecimal BYTES_PER_TB = BigDecimal.valueOf(1_000_000_000_000L);
  private static final int SCALE = 6;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Built at least this often... */
  private static final int REBUILT_MIN_BUILDS = 3;

  /** ...and this many times more often than read, a model counts as rebuilt for nobody. */
  private static final int REBUILT_RATIO = 5;

  private final Workspace workspace;

  public CostAccounting(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * Measures what every table of the project holds in storage, from its Iceberg metadata, and
   * records it. A table not built yet is left out; one that cannot be measured is logged and left
   * out.
   */
  public List<StorageSample> measureStorage() {
    Lake lake = workspace.lake();
    Instant now = workspace.clock().instant();
    List<StorageSample> samples = new ArrayList<>();
    for (String name : workspace.project().graph().assets()) {
      TableName table = workspace.project().asset(name).tableName();
      if (lake.findTable(table).isEmpty()) {
        continue;
      }
      try {
        TableStorage storage = lake.storage(table);
        StorageSample sample =
            new StorageSample(
                table.toString(),
                now,
                storage.liveBytes(),
                storage.liveFiles(),
                storage.oldSnapshotBytes(),
                storage.oldSnapshotFiles(),
                storage.metadataBytes(),
                storage.snapshots());
        workspace.runStore().costs().recordStorage(sample);
        samples.add(sample);
      } catch (RuntimeException e) {
        log.warn("Cannot measure the storage of {}: {}", table, e.getMessage());
      }
    }
    return samples;
  }

  /**
   * The cost of the period {@code [to - period, to)}, grouped {@code by}, with the period before it
   * for the trend.
   *
   * @param top how many top offenders to name
   */
  public CostReport report(CostDimension by, Duration period, Instant to, int top) {
    requireNonNull(by, "by is null");
    requireNonNull(period, "period is null");
    requireNonNull(to, "to is null");
    Instant from = to.minus(period);
    Instant previousFrom = from.minus(period);
    CostPrices prices = workspace.project().config().cost();
    Attribution attribution = new Attribution(workspace.project());
    Map<String, Totals> current = new TreeMap<>();
    Map<String, Totals> previous = new TreeMap<>();
    Map<String, Totals> byAsset = new TreeMap<>();
    Map<String, Totals> previousByAsset = new TreeMap<>();
    List<StepUsage> steps = workspace.runStore().costs().steps(previousFrom, to);
    List<QueryUsage> queries = workspace.runStore().costs().queries(previousFrom, to);
    Map<String, StorageSample> storage = latestStorage(to);
    Map<String, String> runPrincipals =
        by == CostDimension.PRINCIPAL ? runPrincipals(previousFrom) : Map.of();
    for (StepUsage step : steps) {
      boolean now = !step.finishedAt().isBefore(from);
      for (String key : attribution.keys(by, step.asset(), runPrincipals.get(step.runId()))) {
        (now ? current : previous).computeIfAbsent(key, Totals::new).addStep(step, prices);
      }
      (now ? byAsset : previousByAsset)
          .computeIfAbsent(step.asset(), Totals::new)
          .addStep(step, prices);
    }
    for (QueryUsage query : queries) {
      boolean now = !query.at().isBefore(from);
      List<String> assets = attribution.assetsOf(query.tables());
      int shares = Math.max(1, assets.size());
      Set<String> keys = new HashSet<>();
      for (String asset : assets.isEmpty() ? List.of("(no project table)") : assets) {
        keys.addAll(attribution.keys(by, asset, query.principal()));
        (now ? byAsset : previousByAsset)
            .computeIfAbsent(asset, Totals::new)
            .addQuery(query, shares, prices);
      }
      for (String key : keys) {
        (now ? current : previous)
            .computeIfAbsent(key, Totals::new)
            .addQuery(query, keys.size(), prices);
      }
    }
    BigDecimal months =
        BigDecimal.valueOf(period.toMillis())
            .divide(BigDecimal.valueOf(Duration.ofDays(30).toMillis()), MathContext.DECIMAL64);
    for (StorageSample sample : storage.values()) {
      String asset = attribution.assetOfTable(sample.table());
      if (asset == null) {
        continue;
      }
      BigDecimal cost = storageCost(sample.totalBytes(), months, prices);
      // storage is held for every reader: no principal's own
      List<String> keys =
          by == CostDimension.PRINCIPAL ? List.of("(storage)") : attribution.keys(by, asset, null);
      for (String key : keys) {
        current.computeIfAbsent(key, Totals::new).addStorage(sample.totalBytes(), cost);
        // the history of storage is its measurements: the previous period is priced alike
        previous.computeIfAbsent(key, Totals::new).addStorage(sample.totalBytes(), cost);
      }
      byAsset.computeIfAbsent(asset, Totals::new).addStorage(sample.totalBytes(), cost);
      previousByAsset.computeIfAbsent(asset, Totals::new).addStorage(sample.totalBytes(), cost);
    }
    List<CostLine> lines = lines(current, previous);
    CostLine total = total(lines, steps, from);
    List<CostLine> offenders =
        lines(byAsset, previousByAsset).stream()
            .filter(line -> line.total().signum() > 0 || line.cpuMillis() > 0)
            .limit(top)
            .toList();
    List<Waste> waste = waste(attribution, storage, steps, from, to, months, prices);
    return new CostReport(
        prices.currency().getCurrencyCode(),
        prices.declared(),
        by,
        from,
        to,
        lines,
        total,
        offenders,
        waste,
        notes(prices, storage, to));
  }

  /**
   * Who started each run whose steps may fall in a period from {@code from}: the principal of the
   * run's {@code started} record in the audit log (a run started up to a week before the period may
   * still finish in it).
   */
  private Map<String, String> runPrincipals(Instant from) {
    Map<String, String> principals = new HashMap<>();
    for (AuditRecord record :
        workspace
            .runStore()
            .audit()
            .records(
                AuditFilter.all()
                    .withAction(AuditAction.RUN)
                    .withSince(from.minus(Duration.ofDays(7))))) {
      if (record.details() == null) {
        continue;
      }
      try {
        JsonNode details = JSON.readTree(record.details());
        if ("started".equals(details.path("event").asText()) && details.hasNonNull("run_id")) {
          principals.put(details.get("run_id").asText(), record.principal());
        }
      } catch (JsonProcessingException e) {
        log.warn("Audit record {} has unreadable details: {}", record.sequence(), e.getMessage());
      }
    }
    return principals;
  }

  /**
   * What the assets matching {@code owner} or {@code tag} cost from {@code from} to {@code to}:
   * their steps' CPU time, their queries, and their storage over the time elapsed. What a budget is
   * checked against.
   */
  public BigDecimal spent(CostDimension by, String key, Instant from, Instant to) {
    CostReport report = report(by, Duration.between(from, to), to, 0);
    return report.lines().stream()
        .filter(line -> line.key().equals(key))
        .map(CostLine::total)
        .findFirst()
        .orElse(BigDecimal.ZERO);
  }

  /**
   * The average compute cost of one step of each asset in the 30 days before {@code to}: what a run
   * of it is expected to cost. Assets never run are absent.
   */
  public Map<String, BigDecimal> averageStepCost(Instant to) {
    CostPrices prices = workspace.project().config().cost();
    Map<String, long[]> cpu = new HashMap<>();
    for (StepUsage step : workspace.runStore().costs().steps(to.minus(Duration.ofDays(30)), to)) {
      long[] sum = cpu.computeIfAbsent(step.asset(), ignored -> new long[2]);
      sum[0] += step.cpuMillis();
      sum[1]++;
    }
    Map<String, BigDecimal> average = new TreeMap<>();
    cpu.forEach(
        (asset, sum) ->
            average.put(
                asset,
                computeCost(sum[0], prices)
                    .divide(BigDecimal.valueOf(sum[1]), SCALE, RoundingMode.HALF_UP)));
    return average;
  }

  /** The latest storage measurement of each table before {@code to}. */
  private Map<String, StorageSample> latestStorage(Instant to) {
    Map<String, StorageSample> latest = new TreeMap<>();
    for (StorageSample sample : workspace.runStore().costs().storage(to.plusMillis(1))) {
      latest.put(sample.table(), sample);
    }
    return latest;
  }

  static BigDecimal computeCost(long cpuMillis, CostPrices prices) {
    return BigDecimal.valueOf(cpuMillis)
        .multiply(prices.cpuHour())
        .divide(MILLIS_PER_HOUR, SCALE, RoundingMode.HALF_UP);
  }

  static BigDecimal scanCost(long bytes, CostPrices prices) {
    return BigDecimal.valueOf(bytes)
        .multiply(prices.tbScanned())
        .divide(BYTES_PER_TB, SCALE, RoundingMode.HALF_UP);
  }

  static BigDecimal storageCost(long bytes, BigDecimal months, CostPrices prices) {
    return BigDecimal.valueOf(bytes)
        .multiply(prices.gbMonth())
        .multiply(months)
        .divide(BYTES_PER_GB, SCALE, RoundingMode.HALF_UP);
  }

  private static List<CostLine> lines(Map<String, Totals> current, Map<String, Totals> previous) {
    Set<String> keys = new HashSet<>(current.keySet());
    List<CostLine> lines = new ArrayList<>();
    for (String key : keys) {
      Totals now = current.get(key);
      Totals before = previous.get(key);
      lines.add(now.line(before == null ? BigDecimal.ZERO : before.total()));
    }
    lines.sort(
        Comparator.comparing(CostLine::total)
            .thenComparing(CostLine::cpuMillis)
            .reversed()
            .thenComparing(CostLine::key));
    return lines;
  }

  private static CostLine total(List<CostLine> lines, List<StepUsage> steps, Instant from) {
    Set<String> runs = new HashSet<>();
    long stepCount = 0;
    long cpu = 0;
    for (StepUsage step : steps) {
      if (!step.finishedAt().isBefore(from)) {
        runs.add(step.runId());
        stepCount++;
        cpu += step.cpuMillis();
      }
    }
    BigDecimal compute = BigDecimal.ZERO;
    BigDecimal storage = BigDecimal.ZERO;
    BigDecimal query = BigDecimal.ZERO;
    BigDecimal previous = BigDecimal.ZERO;
    long queries = 0;
    long scanned = 0;
    long stored = 0;
    for (CostLine line : lines) {
      compute = compute.add(line.compute());
      storage = storage.add(line.storage());
      query = query.add(line.query());
      previous = previous.add(line.previousTotal());
      queries += line.queries();
      scanned += line.bytesScanned();
      stored += line.storedBytes();
    }
    return new CostLine(
        "total",
        compute,
        storage,
        query,
        previous,
        cpu,
        runs.size(),
        stepCount,
        queries,
        scanned,
        stored);
  }

  private List<Waste> waste(
      Attribution attribution,
      Map<String, StorageSample> storage,
      List<StepUsage> steps,
      Instant from,
      Instant to,
      BigDecimal months,
      CostPrices prices) {
    Map<String, Integer> reads = new HashMap<>();
    Map<String, Integer> builds = new HashMap<>();
    Map<String, BigDecimal> buildCost = new HashMap<>();
    Project project = workspace.project();
    for (StepUsage step : steps) {
      if (step.finishedAt().isBefore(from)) {
        continue;
      }
      builds.merge(step.asset(), 1, Integer::sum);
      buildCost.merge(step.asset(), computeCost(step.cpuMillis(), prices), BigDecimal::add);
      // a step of a model reads its inputs
      if (project.graph().contains(step.asset())) {
        for (String upstream : project.graph().upstream(step.asset())) {
          reads.merge(upstream, 1, Integer::sum);
        }
      }
    }
    // reads by people and tools: the audit log's queries (it holds reads made before query usage
    // was recorded too)
    for (AuditRecord record :
        workspace
            .runStore()
            .audit()
            .records(AuditFilter.all().withAction(AuditAction.QUERY).withSince(from))) {
      if (record.at().isBefore(to)) {
        for (String asset : attribution.assetsOf(record.tables())) {
          reads.merge(asset, 1, Integer::sum);
        }
      }
    }
    long days = Math.max(1, Duration.between(from, to).toDays());
    List<Waste> waste = new ArrayList<>();
    for (StorageSample sample : storage.values()) {
      String asset = attribution.assetOfTable(sample.table());
      if (asset == null) {
        continue;
      }
      int read = reads.getOrDefault(asset, 0);
      if (read == 0) {
        BigDecimal cost =
            storageCost(sample.totalBytes(), months, prices)
                .add(buildCost.getOrDefault(asset, BigDecimal.ZERO));
        waste.add(
            new Waste(
                "unread",
                asset,
                cost,
                "nobody read "
                    + sample.table()
                    + " in "
                    + days
                    + " days (no query in the audit log, no model built from it); it holds "
                    + Bytes.describe(sample.totalBytes())
                    + (builds.containsKey(asset)
                        ? " and was built " + builds.get(asset) + " time(s)"
                        : "")
                    + ": drop it, or build it less often"));
      } else if (builds.getOrDefault(asset, 0) >= REBUILT_MIN_BUILDS
          && builds.get(asset) > REBUILT_RATIO * read) {
        waste.add(
            new Waste(
                "rebuilt_unread",
                asset,
                buildCost.getOrDefault(asset, BigDecimal.ZERO),
                "built "
                    + builds.get(asset)
                    + " times but read "
                    + read
                    + " time(s) in "
                    + days
                    + " days: schedule it less often"));
      }
      if (sample.oldSnapshotBytes() > 0) {
        waste.add(
            new Waste(
                "old_snapshots",
                asset,
                storageCost(sample.oldSnapshotBytes(), months, prices),
                Bytes.describe(sample.oldSnapshotBytes())
                    + " in "
                    + sample.oldSnapshotFiles()
                    + " data file(s) of "
                    + sample.table()
                    + " are held only by older snapshots: 'sluice maintain --expire' frees what"
                    + " the snapshot policy (keep_snapshots, min_snapshots) no longer keeps"));
      }
    }
    waste.sort(Comparator.comparing(Waste::cost).reversed().thenComparing(Waste::asset));
    return waste;
  }

  private static Map<String, String> notes(
      CostPrices prices, Map<String, StorageSample> storage, Instant to) {
    Map<String, String> notes = new LinkedHashMap<>();
    String currency = prices.currency().getCurrencyCode();
    notes.put(
        "compute",
        "includes: the CPU time of the Sluice process during each step (every thread, DuckDB's"
            + " included) at "
            + prices.cpuHour().stripTrailingZeros().toPlainString()
            + " "
            + currency
            + " per CPU-hour; estimates: CPU time of steps that ran at the same time is split"
            + " evenly among them; wall time and memory are measured but not priced");
    Instant measured =
        storage.values().stream()
            .map(StorageSample::measuredAt)
            .max(Comparator.naturalOrder())
            .orElse(to);
    notes.put(
        "storage",
        "includes: live data, data held only by old snapshots, and metadata of each table, from"
            + " its Iceberg metadata, at "
            + prices.gbMonth().stripTrailingZeros().toPlainString()
            + " "
            + currency
            + " per GB-month; estimates: the bytes of the latest measurement ("
            + measured
            + ") held for the whole period (and for the previous one, for the trend)");
    notes.put(
        "query",
        "includes: queries through the query service (sluice query, the server, Flight SQL):"
            + " the bytes of the data files Iceberg planned for each, after pruning, at "
            + prices.tbScanned().stripTrailingZeros().toPlainString()
            + " "
            + currency
            + " per TB scanned, plus their CPU time at the compute price; estimates: a query"
            + " reading several tables is shared evenly among them");
    notes.put(
        "waste",
        "unread: no query in the audit log and no model built from the table in the period;"
            + " rebuilt_unread: built at least "
            + REBUILT_MIN_BUILDS
            + " times and more than "
            + REBUILT_RATIO
            + " times as often as read; old_snapshots: bytes only older snapshots reference");
    if (!prices.declared()) {
      notes.put(
          "prices",
          "sluice.yaml declares no cost: prices, so every amount is 0; add e.g. cost: {currency:"
              + " EUR, compute: 0.048 per cpu-hour, storage: 0.023 per gb-month, query: 5 per"
              + " tb-scanned}");
    }
    return notes;
  }

  /** The running sums of one group. */
  private static final class Totals {
    private final String key;
    private BigDecimal compute = BigDecimal.ZERO;
    private BigDecimal storage = BigDecimal.ZERO;
    private BigDecimal query = BigDecimal.ZERO;
    private long cpuMillis;
    private final Set<String> runs = new HashSet<>();
    private long steps;
    private long queries;
    private long bytesScanned;
    private long storedBytes;

    Totals(String key) {
      this.key = key;
    }

    void addStep(StepUsage step, CostPrices prices) {
      compute = compute.add(computeCost(step.cpuMillis(), prices));
      cpuMillis += step.cpuMillis();
      runs.add(step.runId());
      steps++;
    }

    void addQuery(QueryUsage usage, int shares, CostPrices prices) {
      BigDecimal share = BigDecimal.valueOf(shares);
      query =
          query.add(
              scanCost(usage.bytesScanned(), prices)
                  .add(computeCost(usage.cpuMillis(), prices))
                  .divide(share, SCALE, RoundingMode.HALF_UP));
      queries++;
      bytesScanned += usage.bytesScanned() / shares;
    }

    void addStorage(long bytes, BigDecimal cost) {
      storage = storage.add(cost);
      storedBytes += bytes;
    }

    BigDecimal total() {
      return compute.add(storage).add(query);
    }

    CostLine line(BigDecimal previousTotal) {
      return new CostLine(
          key,
          compute,
          storage,
          query,
          previousTotal,
          cpuMillis,
          runs.size(),
          steps,
          queries,
          bytesScanned,
          storedBytes);
    }
  }

  /** Which groups an asset, a table or a query belongs to. */
  private static final class Attribution {
    private final Project project;
    private final Map<String, String> assetsByTable = new HashMap<>();

    Attribution(Project project) {
      this.project = project;
      for (String asset : project.graph().assets()) {
        assetsByTable.put(project.asset(asset).tableName().toString(), asset);
      }
    }

    String assetOfTable(String table) {
      return assetsByTable.get(table);
    }

    List<String> assetsOf(List<String> tables) {
      List<String> assets = new ArrayList<>();
      for (String table : tables) {
        String asset = assetsByTable.get(table);
        if (asset != null && !assets.contains(asset)) {
          assets.add(asset);
        }
      }
      return assets;
    }

    /**
     * The groups of an asset's cost; {@code principal} is who ran the query or started the run, or
     * null when the audit log does not say.
     */
    List<String> keys(CostDimension by, String assetName, String principal) {
      if (by == CostDimension.PRINCIPAL) {
        return List.of(principal != null ? principal : "(runs)");
      }
      Asset asset = project.findAsset(assetName).orElse(null);
      if (asset == null) {
        return List.of(by == CostDimension.ASSET ? assetName : "(not in the project)");
      }
      return switch (by) {
        case ASSET -> List.of(assetName);
        case OWNER -> List.of(orNone(owner(asset), "(no owner)"));
        case TIER ->
            List.of(
                orNone(
                    asset.<String>map(ModelDef::tier, seed -> null, table -> null), "(no tier)"));
        case TAG -> {
          List<String> tags = tags(asset);
          yield tags.isEmpty() ? List.of("(no tag)") : tags;
        }
        case SOURCE ->
            List.of(
                asset.<String>map(model -> "(models)", seed -> "(seeds)", SourceTableDef::source));
        case PRINCIPAL -> List.of("(runs)");
      };
    }

    static String owner(Asset asset) {
      return asset.<String>map(ModelDef::owner, seed -> null, SourceTableDef::owner);
    }

    static List<String> tags(Asset asset) {
      List<String> tags =
          asset.<List<String>>map(ModelDef::tags, seed -> List.of(), SourceTableDef::tags);
      return tags == null ? List.of() : tags;
    }

    private static String orNone(String value, String none) {
      return value == null || value.isBlank() ? none : value;
    }
  }
}
