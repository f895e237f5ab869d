package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run --env}, {@code query --env}, {@code tables --env} and {@code env list | show |
 * drop} on a real warehouse (Iceberg on SQLite, DuckDB): only what changed is built, into branches;
 * production never sees it; dropping deletes only the environment's files.
 */
class EnvironmentsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  private InProcessCli.Result ok(String... args) {
    InProcessCli.Result result = sluice(args);
    assertThat(result.code()).as(String.join(" ", args) + "\n" + result.err()).isZero();
    return result;
  }

  private JsonNode json(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    return JSON.readTree(ok(all.toArray(String[]::new)).out());
  }

  private String value(String sql, String... env) throws IOException {
    List<String> args = new ArrayList<>(List.of("query", sql, "--format", "csv"));
    args.addAll(List.of(env));
    String out = ok(args.toArray(String[]::new)).out();
    return out.lines().skip(1).findFirst().orElseThrow();
  }

  @BeforeEach
  void productionIsBuilt() throws IOException {
    write(project, "sluice.yaml", "name: envs\n");
    write(
        project,
        "models/curated/orders.sql",
        "select * from (values (1, 10.0), (2, 20.0), (3, 5.0)) t(id, amount)\n");
    write(
        project,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 6\n");
    write(
        project,
        "models/curated/big.yaml",
        "models:\n  - name: big\n    columns:\n      - name: id\n        checks: [not_null]\n");
    write(
        project,
        "models/published/total.sql",
        "select sum(amount) as total from {{ ref('big') }}\n");
    write(
        project, "models/published/counted.sql", "select count(*) as n from {{ ref('orders') }}\n");
    ok("run");
  }

  @Test
  void anEnvironmentBuildsOnlyWhatChangedAndProductionNeverSeesIt() throws Exception {
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "start");
    String commit = git("rev-parse", "HEAD");
    Set<String> productionFiles = dataFiles();

    // a change of logic and a new column in big; a model new in the environment
    write(
        project,
        "models/curated/big.sql",
        "select id, amount, amount * 2 as doubled from {{ ref('orders') }} where amount > 1\n");
    write(
        project, "models/published/fresh.sql", "select max(id) as top from {{ ref('orders') }}\n");
    JsonNode build = json("run", "--env", "dev");
    assertThat(build.get("environment").asText()).isEqualTo("dev");
    List<String> built = new ArrayList<>();
    build.get("changes").forEach(change -> built.add(change.get("model").asText()));
    assertThat(built).containsExactlyInAnyOrder("big", "total", "fresh");
    assertThat(build.get("changes").findValuesAsText("reason"))
        .contains(
            "changed: SQL or configuration differs from production",
            "downstream of big",
            "new: not built in production");
    assertThat(build.get("run").get("status").asText()).isEqualTo("succeeded");

    // the environment reads its own tables, and production's for the rest
    assertThat(value("select total from published.total", "--env", "dev")).isEqualTo("35.0");
    assertThat(value("select top from published.fresh", "--env", "dev")).isEqualTo("3");
    assertThat(value("select n from published.counted", "--env", "dev")).isEqualTo("3");
    assertThat(ok("query", "select * from curated.big", "--env", "dev").out()).contains("doubled");
    // production is as it was: its data, its schema
    assertThat(value("select total from published.total")).isEqualTo("30.0");
    assertThat(ok("query", "select * from curated.big").out()).doesNotContain("doubled");
    assertThat(value("select count(*) from published.fresh")).isEqualTo("0");

    // zero copy: the unchanged tables have no branch; the environment wrote only its own files
    JsonNode tables = json("tables", "--env", "dev");
    for (JsonNode table : tables) {
      String expected =
          Set.of("curated.big", "published.total", "published.fresh")
                  .contains(table.get("table").asText())
              ? "dev"
              : "main";
      assertThat(table.get("branch").asText()).as(table.toString()).isEqualTo(expected);
    }
    Set<String> withEnvironment = dataFiles();
    assertThat(withEnvironment).containsAll(productionFiles);
    assertThat(withEnvironment.size() - productionFiles.size()).isEqualTo(3);

    // the environment's record: what it built from which commit, what it reads from production
    JsonNode list = json("env", "list");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("name").asText()).isEqualTo("dev");
    assertThat(list.get(0).get("gitCommit").asText()).isEqualTo(commit);
    assertThat(list.get(0).get("gitDirty").asBoolean()).isTrue();
    JsonNode show = json("env", "show", "dev");
    List<String> branches = new ArrayList<>();
    show.get("tables")
        .forEach(
            table ->
                branches.add(table.get("table").asText() + "@" + table.get("branch").asText()));
    assertThat(branches)
        .containsExactlyInAnyOrder(
            "curated.big@dev", "published.total@dev", "published.fresh@dev", "curated.orders@main");
    assertThat(ok("env", "show", "dev").err()).contains("from git commit " + commit);

    // a build of the environment is never resumed into production
    String runId = build.get("run").get("id").asText();
    InProcessCli.Result resume = sluice("run", "--resume", runId);
    assertThat(resume.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(resume.err()).contains("built environment dev").contains("sluice run --env dev");

    // dropping it removes its branches, the table only it held, and only its files
    JsonNode drop = json("env", "drop", "dev");
    assertThat(drop.get("deletedFiles").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(dataFiles()).isEqualTo(productionFiles);
    assertThat(value("select total from published.total")).isEqualTo("30.0");
    assertThat(sluice("query", "select * from published.fresh").code()).isNotZero();
    assertThat(json("env", "list")).isEmpty();
    InProcessCli.Result gone = sluice("query", "select 1", "--env", "dev");
    assertThat(gone.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(gone.err()).contains("No environment dev");
    String audit = ok("audit", "--action", "environment").out();
    assertThat(audit).contains("built").contains("dropped");
  }

  @Test
  void aModelChangedBackNoLongerHasABranch() throws IOException {
    write(
        project,
        "models/published/counted.sql",
        "select count(*) + 1 as n from {{ ref('orders') }}\n");
    ok("run", "--env", "feature-a");
    assertThat(value("select n from published.counted", "--env", "feature-a")).isEqualTo("4");

    write(
        project, "models/published/counted.sql", "select count(*) as n from {{ ref('orders') }}\n");
    InProcessCli.Result again = ok("run", "--env", "feature-a");
    assertThat(again.err())
        .contains("published.counted: no longer differs from production")
        .contains("nothing differs from production");
    assertThat(value("select n from published.counted", "--env", "feature-a")).isEqualTo("3");
    assertThat(json("env", "show", "feature-a").get("tables")).isEmpty();
  }

  @Test
  void badEnvironmentNamesAndProductionAreRefused() {
    for (String name :
        List.of(
            "main",
            "prod",
            "production",
            "Dev",
            "a/b",
            "x;rm -rf",
            "../up",
            "audit-1",
            "sluice-maintenance",
            "")) {
      InProcessCli.Result run = sluice("run", "--env", name);
      assertThat(run.code()).as(name).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err())
          .as(name)
          .containsAnyOf("Invalid environment name", "is production", "needs a name");
    }
    InProcessCli.Result dropMain = sluice("env", "drop", "main");
    assertThat(dropMain.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(dropMain.err()).contains("'main' is production").contains("cannot be dropped");
    InProcessCli.Result unknown = sluice("env", "drop", "nope");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("No environment nope");
    assertThat(sluice("env", "show", "nope").err()).contains("No environment nope");
    assertThat(sluice("tables", "--env", "nope").err()).contains("No environment nope");
    InProcessCli.Result both = sluice("query", "select 1", "--env", "dev", "--as-of", "1");
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--env and --as-of cannot be combined");
    InProcessCli.Result refresh = sluice("run", "--env", "dev", "--full-refresh");
    assertThat(refresh.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(refresh.err()).contains("--env takes no");
  }

  @Test
  void aTableBecomingAViewIsRefusedWithItsFile() throws IOException {
    write(
        project,
        "models/published/counted.yaml",
        "models:\n  - name: counted\n    materialized: view\n");
    InProcessCli.Result run = sluice("run", "--env", "dev");
    assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("counted (")
        .contains("counted.sql) is a view, a table in production")
        .contains("--exclude");
  }

  @Test
  void aChangedViewIsTheEnvironmentsOwnView() throws IOException {
    write(
        project,
        "models/published/cheap.sql",
        "{{ config(materialized='view') }}\nselect id from {{ ref('orders') }} where amount < 6\n");
    ok("run", "--select", "cheap");
    write(
        project,
        "models/published/cheap.sql",
        "{{ config(materialized='view') }}\nselect id from {{ ref('orders') }} where amount < 15\n");
    JsonNode build = json("run", "--env", "dev");
    assertThat(build.get("changes").findValuesAsText("model")).containsExactly("cheap");
    assertThat(value("select count(*) from published.cheap", "--env", "dev")).isEqualTo("2");
    assertThat(value("select count(*) from published.cheap")).isEqualTo("1");
    for (JsonNode table : json("tables", "--env", "dev")) {
      if (table.get("table").asText().equals("published.cheap")) {
        assertThat(table.get("kind").asText()).isEqualTo("view");
        assertThat(table.get("branch").asText()).isEqualTo("dev");
      } else {
        assertThat(table.get("branch").asText()).as(table.toString()).isEqualTo("main");
      }
    }
    ok("promote", "dev");
    assertThat(value("select count(*) from published.cheap")).isEqualTo("2");
  }

  @Test
  void promotionMovesProductionToTheEnvironmentAndRollbackMovesItBack() throws IOException {
    write(
        project,
        "models/curated/big.sql",
        "select id, amount, amount * 2 as doubled from {{ ref('orders') }} where amount > 1\n");
    ok("run", "--env", "dev");
    JsonNode promotion = json("promote", "dev");
    assertThat(promotion.get("status").asText()).isEqualTo("done");
    assertThat(promotion.get("tables").findValuesAsText("table"))
        .containsExactly("curated.big", "published.total");
    assertThat(value("select total from published.total")).isEqualTo("35.0");
    assertThat(ok("query", "select * from curated.big").out()).contains("doubled");
    assertThat(json("env", "list")).isEmpty();
    assertThat(json("promote", "--list").get(0).get("id").asText())
        .isEqualTo(promotion.get("id").asText());

    JsonNode rollback = json("rollback", "--to", promotion.get("id").asText());
    assertThat(rollback.get("status").asText()).isEqualTo("rolled_back");
    assertThat(value("select total from published.total")).isEqualTo("30.0");
    assertThat(ok("query", "select * from curated.big").out()).doesNotContain("doubled");
    InProcessCli.Result twice = sluice("rollback", "--to", promotion.get("id").asText());
    assertThat(twice.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(twice.err()).contains("is rolled_back");
    String audit = ok("audit", "--action", "promotion").out();
    assertThat(audit).contains("started").contains("promoted").contains("rolled_back");
  }

  @Test
  void anEnvironmentBehindProductionIsRefusedUntilRebased() throws IOException {
    write(
        project,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 1\n");
    ok("run", "--env", "dev");
    // production moves: orders is rebuilt there
    write(
        project,
        "models/curated/orders.sql",
        "select * from (values (1, 10.0), (2, 20.0), (3, 5.0), (4, 7.0)) t(id, amount)\n");
    ok("run", "--select", "orders");
    InProcessCli.Result behind = sluice("promote", "dev");
    assertThat(behind.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(behind.err())
        .contains("is behind production")
        .contains("curated.orders (snapshot")
        .contains("sluice env rebase dev");
    assertThat(value("select total from published.total")).isEqualTo("30.0");

    ok("env", "rebase", "dev");
    ok("promote", "dev");
    assertThat(value("select total from published.total")).isEqualTo("42.0");
  }

  @Test
  void anEnvironmentWhoseChecksFailIsNotPromoted() throws IOException {
    write(
        project,
        "models/curated/big.sql",
        "select id, case when id = 3 then null else amount end as amount from {{ ref('orders') }}\n");
    ok("run", "--env", "dev");
    write(
        project,
        "models/curated/big.yaml",
        "models:\n  - name: big\n    columns:\n      - name: id\n        checks: [not_null]\n"
            + "      - name: amount\n        checks: [not_null]\n");
    InProcessCli.Result refused = sluice("promote", "dev");
    assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(refused.err()).contains("was not promoted: its checks failed");
    assertThat(value("select total from published.total")).isEqualTo("30.0");
    assertThat(sluice("promote").err()).contains("Name one environment to promote");
    assertThat(sluice("promote", "nope").err()).contains("No environment nope");
    assertThat(sluice("promote", "--resume").err()).contains("No promotion to resume");
    InProcessCli.Result noneRunning = sluice("promote", "--abandon");
    assertThat(noneRunning.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noneRunning.err()).contains("No promotion to abandon: none is running");
    assertThat(sluice("promote", "--abandon", "promotion-x").err())
        .contains("Promotion promotion-x is not running: there is no such promotion");
    assertThat(sluice("promote", "dev", "--abandon").err())
        .contains("give --resume, --abandon or --list (one of them)");
    assertThat(sluice("rollback", "--to", "promotion-x").err())
        .contains("No promotion promotion-x");
  }

  @Test
  void anEnvironmentThatBreaksItsContractIsNeitherBuiltNorPromoted() throws IOException {
    String contract =
        "models:\n  - name: priced\n    contract:\n      enforced: true\n      evolution: none\n"
            + "%s    columns:\n      - {name: id, type: integer}\n"
            + "      - {name: amount, type: 'decimal(12,2)'}\n";
    write(project, "models/curated/priced.yaml", contract.formatted(""));
    write(
        project,
        "models/curated/priced.sql",
        "select id, cast(amount as decimal(12,2)) as amount from {{ ref('orders') }}\n");
    ok("run", "--select", "priced");

    // built under the contract; a constraint added to the contract since is checked on promotion
    write(
        project,
        "models/curated/priced.sql",
        "select id, cast(amount - 8 as decimal(12,2)) as amount from {{ ref('orders') }}\n");
    ok("run", "--env", "dev");
    write(
        project,
        "models/curated/priced.yaml",
        contract.formatted(
            "      constraints:\n        - {type: check, expression: \"amount >= 0\", name: paid}\n"));
    InProcessCli.Result refused = sluice("promote", "dev");
    assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(refused.err())
        .contains("contract:check(paid)")
        .contains("was not promoted: its checks failed");
    assertThat(value("select min(amount) from curated.priced")).isEqualTo("5.00");

    // a build that gives a column of another type than the contract's publishes nothing
    write(
        project,
        "models/curated/priced.sql",
        "select id, cast(amount as varchar) as amount from {{ ref('orders') }}\n");
    InProcessCli.Result broken = sluice("run", "--env", "dev");
    assertThat(broken.code()).as(broken.err()).isEqualTo(ExitCodes.DATA);
    assertThat(broken.err()).contains("violates its contract");
    assertThat(value("select min(amount) from curated.priced", "--env", "dev")).isEqualTo("-3.00");
    assertThat(value("select min(amount) from curated.priced")).isEqualTo("5.00");
  }

  @Test
  void planClassifiesEachChangeAgainstWhatProductionWasBuiltFrom() throws IOException {
    write(
        project,
        "models/curated/big.sql",
        "select id, amount * 2 as amount from {{ ref('orders') }} where amount > 6\n");
    write(
        project,
        "models/published/counted.yaml",
        "models:\n  - name: counted\n    description: How many orders\n");
    JsonNode plan = json("plan");
    assertThat(plan.get("against").asText()).isEqualTo("production");
    JsonNode changes = plan.get("changes");
    assertThat(changes.findValuesAsText("model")).contains("big", "counted", "total");
    JsonNode big = changes.get(0);
    assertThat(big.get("model").asText()).isEqualTo("big");
    assertThat(big.get("category").asText()).isEqualTo("breaking");
    assertThat(big.get("modified_columns").get(0).asText()).isEqualTo("amount");
    assertThat(big.get("downstream").get(0).get("model").asText()).isEqualTo("total");
    assertThat(big.get("downstream").get(0).get("columns").get(0).asText()).isEqualTo("total");
    JsonNode counted = changes.get(1);
    assertThat(counted.get("model").asText()).isEqualTo("counted");
    assertThat(counted.get("category").asText()).isEqualTo("metadata-only");
    assertThat(counted.get("metadata").get(0).asText()).isEqualTo("description");

    InProcessCli.Result text = ok("plan");
    assertThat(text.out())
        .contains("Changes against production:")
        .contains("breaking")
        .contains("changed amount")
        .contains("total (total)")
        .contains("metadata-only")
        .contains("metadata: description");
    // the environment's build leaves counted alone: a metadata-only change builds nothing
    assertThat(json("plan", "--env", "dev").get("steps").findValuesAsText("asset"))
        .containsExactly("big", "total");
    assertThat(sluice("plan", "--env", "Bad;Name").err())
        .contains("Invalid environment name 'Bad;Name'");
  }

  @Test
  void planOffersForwardOnlyOrRebuildingTheHistoryWithItsPartitionsAndRows() throws IOException {
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: full\n");
    // four whole days up to yesterday: four partitions
    java.time.LocalDate start = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(4);
    StringBuilder csv = new StringBuilder("event_date,amount\n");
    for (int day = 0; day < 4; day++) {
      csv.append(start.plusDays(day)).append(',').append(day + 1).append('\n');
    }
    write(project, "data/events.csv", csv.toString());
    write(
        project,
        "models/curated/daily.yaml",
        "models:\n  - name: daily\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - {column: event_date, grain: day, start: "
            + start
            + "}\n");
    String daily =
        "select event_date, %s as amount from {{ source('app', 'events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date\n";
    write(project, "models/curated/daily.sql", daily.formatted("sum(amount)"));
    write(
        project,
        "models/curated/seen.sql",
        "{{ config(materialized='incremental') }}\nselect id, amount from {{ ref('orders') }}\n");
    ok("run");
    write(project, "models/curated/daily.sql", daily.formatted("sum(amount) * 10"));
    write(
        project,
        "models/curated/seen.sql",
        "{{ config(materialized='incremental') }}\n"
            + "select id, amount * 2 as amount from {{ ref('orders') }}\n");

    JsonNode changes = json("plan").get("changes");
    JsonNode partitioned = null;
    JsonNode incremental = null;
    for (JsonNode change : changes) {
      if (change.get("model").asText().equals("daily")) {
        partitioned = change.get("history");
      } else if (change.get("model").asText().equals("seen")) {
        incremental = change.get("history");
      }
    }
    assertThat(partitioned).as(changes.toString()).isNotNull();
    assertThat(partitioned.get("materialization").asText()).isEqualTo("incremental_by_time_range");
    assertThat(partitioned.get("partitions").asInt()).isEqualTo(4);
    assertThat(partitioned.get("forward_only").asText())
        .isEqualTo("sluice run --select daily (new partitions only)");
    assertThat(partitioned.get("rebuild").asText())
        .isEqualTo("sluice backfill --select daily (rebuilds 4 partitions)");
    assertThat(incremental).as(changes.toString()).isNotNull();
    assertThat(incremental.get("materialization").asText()).isEqualTo("incremental");
    assertThat(incremental.get("rows").asLong()).isEqualTo(3);
    assertThat(incremental.get("rebuild").asText())
        .isEqualTo("sluice run --full-refresh --select seen (rebuilds 3 rows)");
    assertThat(ok("plan").err())
        .contains(
            "daily is incremental_by_time_range: forward-only with 'sluice run --select daily"
                + " (new partitions only)', or rebuild its history with 'sluice backfill --select"
                + " daily (rebuilds 4 partitions)'")
        .contains(
            "seen is incremental: forward-only with 'sluice run --select seen (new rows only)'");
  }

  @Test
  void planShowsWhatAnEnvironmentWouldBuildAndAFailedBuildLeavesItAsItWas() throws IOException {
    write(
        project,
        "models/curated/big.sql",
        "select id, amount from {{ ref('orders') }} where amount > 1\n");
    JsonNode plan = json("plan", "--env", "dev");
    assertThat(plan.findValuesAsText("asset")).containsExactly("big", "total");
    assertThat(plan.get("dataDiff").isNull()).isTrue(); // not built yet: no rows to compare
    assertThat(plan.get("steps").get(1).get("reasons").get(0).asText())
        .isEqualTo("downstream of big");
    assertThat(ok("plan", "--env", "dev").err())
        .contains("2 assets would be built into environment dev");
    assertThat(sluice("plan", "--env", "main").err()).contains("'main' is production");

    ok("run", "--env", "dev");
    // built: the plan shows what the change did to the rows of each table
    JsonNode dataDiff = json("plan", "--env", "dev").get("dataDiff");
    assertThat(dataDiff.findValuesAsText("table"))
        .containsExactly("curated.big", "published.total");
    assertThat(dataDiff.get(0).get("productionRows").asLong()).isEqualTo(2);
    assertThat(dataDiff.get(0).get("environmentRows").asLong()).isEqualTo(3);
    assertThat(dataDiff.get(0).get("onlyInEnvironment").asLong()).isEqualTo(1);
    assertThat(dataDiff.get(0).get("onlyInProduction").asLong()).isZero();
    assertThat(dataDiff.get(1).get("onlyInProduction").asLong()).isEqualTo(1);
    assertThat(dataDiff.get(1).get("onlyInEnvironment").asLong()).isEqualTo(1);
    assertThat(ok("plan", "--env", "dev").out())
        .contains("Data diff of environment dev against production:");
    // production runs meanwhile: the environment keeps its tables
    write(
        project,
        "models/published/counted.sql",
        "select count(*) * 10 as n from {{ ref('orders') }}\n");
    ok("run", "--select", "counted");
    assertThat(value("select n from published.counted", "--env", "dev")).isEqualTo("30");
    assertThat(value("select total from published.total", "--env", "dev")).isEqualTo("35.0");

    // a build whose blocking check fails publishes nothing to the environment's branch
    write(
        project,
        "models/curated/big.sql",
        "select cast(null as integer) as id, amount from {{ ref('orders') }}\n");
    InProcessCli.Result failed = sluice("run", "--env", "dev");
    assertThat(failed.code()).as(failed.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(failed.err()).contains("The build of environment dev");
    assertThat(value("select count(id) from curated.big", "--env", "dev")).isEqualTo("3");
    assertThat(value("select total from published.total", "--env", "dev")).isEqualTo("35.0");
    assertThat(value("select total from published.total")).isEqualTo("30.0");
  }

  @Test
  void diffShowsRowsOnlyInOneSideAndChangedColumnsByKey() throws IOException {
    write(
        project,
        "models/curated/big.sql",
        "select id, case when id = 1 then amount + 1 else amount end as amount, amount * 2 as doubled"
            + " from {{ ref('orders') }} where amount > 1\n");
    ok("run", "--env", "dev");
    JsonNode keyed = json("diff", "curated.big", "--env", "dev", "--key", "id");
    assertThat(keyed.get("productionRows").asLong()).isEqualTo(2);
    assertThat(keyed.get("environmentRows").asLong()).isEqualTo(3);
    assertThat(keyed.get("onlyInProduction").asLong()).isZero();
    assertThat(keyed.get("onlyInEnvironment").asLong()).isEqualTo(1);
    assertThat(keyed.get("changed").asLong()).isEqualTo(1);
    assertThat(keyed.get("changedByColumn").get("amount").asLong()).isEqualTo(1);
    assertThat(keyed.get("addedColumns").get(0).asText()).isEqualTo("doubled");
    assertThat(keyed.get("sample")).hasSize(1);
    assertThat(keyed.get("sample").get(0).get("id").asInt()).isEqualTo(1);
    assertThat(keyed.get("sample").get(0).get("amount (production)").asText()).isEqualTo("10.0");
    assertThat(keyed.get("sample").get(0).get("amount (dev)").asText()).isEqualTo("11.0");

    JsonNode whole = json("diff", "curated.big", "--env", "dev");
    assertThat(whole.get("onlyInProduction").asLong()).isEqualTo(1);
    assertThat(whole.get("onlyInEnvironment").asLong()).isEqualTo(2);
    assertThat(whole.get("changed").isNull()).isTrue();
    // a table the environment does not hold is production's on both sides
    JsonNode same = json("diff", "curated.orders", "--env", "dev", "--key", "id");
    assertThat(same.get("sharedFiles").asInt()).isEqualTo(1);
    assertThat(same.get("changed").asLong()).isZero();
    assertThat(same.get("onlyInEnvironment").asLong()).isZero();
    assertThat(ok("diff", "curated.big", "--env", "dev", "--key", "id").err())
        .contains("only in dev: 1, changed: 1")
        .contains("columns added: doubled");

    InProcessCli.Result badKey = sluice("diff", "curated.big", "--env", "dev", "--key", "nope");
    assertThat(badKey.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badKey.err()).contains("Key column 'nope' is not in both versions of curated.big");
    assertThat(sluice("diff", "curated.nothing", "--env", "dev").err())
        .contains("Table curated.nothing does not exist");
    assertThat(sluice("diff", "curated.big", "--env", "nope").err())
        .contains("No environment nope");
  }

  private Set<String> dataFiles() throws IOException {
    Set<String> files = new HashSet<>();
    try (Stream<Path> paths = Files.walk(project.resolve("warehouse"))) {
      paths
          .filter(path -> path.toString().endsWith(".parquet"))
          .forEach(path -> files.add(project.relativize(path).toString()));
    }
    return files;
  }

  private String git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git", "-C", project.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return output.strip();
  }
}
