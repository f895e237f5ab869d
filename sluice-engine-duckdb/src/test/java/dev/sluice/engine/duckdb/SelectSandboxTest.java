package dev.sluice.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.QueryException;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.TableReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * User SQL is parsed by DuckDB's own parser and refused when it is more than one SELECT or reaches
 * beyond the tables it names. Each refused statement below is one that DuckDB would run.
 */
class SelectSandboxTest {
  @TempDir Path directory;
  private DuckDbEngine engine;
  private EngineSession session;

  @BeforeEach
  void start() {
    engine = DuckDbEngine.start(directory.resolve("spill"), "1GB");
    session = engine.openSession();
  }

  @AfterEach
  void stop() {
    session.close();
    engine.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select * from read_text('/root/.gitconfig')",
        "select * from read_blob('/proc/self/environ')",
        "SELECT * FROM READ_BLOB('/proc/self/environ')",
        "select * from \"read_blob\"('/proc/self/environ')",
        "select * from /* comment */ read_text(\n'/etc/passwd')",
        "select * from raw.orders where id in (select length(content) from read_text('/x'))",
        "with t as (select * from read_text('/x')) select * from t",
        "select (select content from read_text('/x') limit 1) as leak",
        "select * from glob('/**')",
        "select * from read_csv_auto('/etc/passwd')",
        "select * from read_csv('/etc/passwd')",
        "select * from read_json('/etc/x.json')",
        "select * from parquet_scan('/warehouse/x.parquet')",
        "select * from read_parquet('/warehouse/x.parquet')",
        "select * from '/etc/passwd'",
        "from '/proc/self/environ'",
        "select * from 'https://example.com/x.csv'",
        "select * from duckdb_settings()",
        "select * from system.main.duckdb_settings()",
        "select * from duckdb_secrets()",
        "select * from query('select 1')",
        "select * from query_table('raw.orders')",
        "select * from sniff_csv('/etc/passwd')",
        "select getenv('HOME')",
        "select current_setting('home_directory')",
        "select nextval('s')",
        "select * from raw.orders where x = CURRENT_SETTING('temp_directory')",
        "select * from pg_catalog.pg_settings",
        "select * from information_schema.tables",
        "select * from duckdb_tables",
        "select * from memory.main.t",
        "select * from other_db.raw.orders",
        "select 1; copy (select 1) to '/tmp/x.csv'",
        "select 1; select 2",
        "copy (select 1) to '/tmp/x.csv'",
        "attach '/tmp/other.db' as other",
        "set enable_external_access = true",
        "pragma version",
        "install httpfs",
        "load httpfs",
        "call read_text('/etc/passwd')",
        "create table x as select 1",
        "explain select 1",
      })
  void refusesWhatReachesBeyondNamedTables(String sql) {
    assertThatThrownBy(() -> rejectUnnamed(sql)).isInstanceOf(SqlRejectedException.class);
  }

  /**
   * Refused by the parser, or (for names of the engine's own catalog) by not being a project table:
   * the names a query reads that are not zone tables or its own CTEs must be refused by the caller.
   */
  private void rejectUnnamed(String sql) {
    ParsedSelect parsed = session.parseSelect(sql);
    for (TableReference table : parsed.tables()) {
      if (!table.schema().equals("raw")) {
        throw new SqlRejectedException("not a project table: " + table, table.line());
      }
    }
  }

  @Test
  void acceptsOneSelectAndListsItsTables() {
    ParsedSelect parsed =
        session.parseSelect(
            "with recent as (select * from \"raw\".\"orders\" where ts > now() - interval 1 day)\n"
                + "select r.id, c.name, 'a;b' as text -- a comment; with a semicolon\n"
                + "from recent r join curated.customers c on r.customer = c.id, unnest([1, 2]) as u(x)\n"
                + "where r.id in (select id from published.flags);");
    assertThat(parsed.tables())
        .extracting(TableReference::toString)
        .containsExactly("raw.orders", "curated.customers", "published.flags");
    assertThat(parsed.tables().get(1).line()).isEqualTo(3);
  }

  @Test
  void commonTableExpressionNamesHoldOnlyInTheirScope() {
    ParsedSelect parsed =
        session.parseSelect(
            "select * from (with duckdb_tables as (select 1 as x) select * from duckdb_tables),"
                + " duckdb_tables");
    assertThat(parsed.tables())
        .extracting(TableReference::toString)
        .containsExactly("duckdb_tables");
  }

  @Test
  void sayWhereTheProblemIs() {
    assertThatThrownBy(
            () -> session.parseSelect("select 1,\n  2\nfrom raw.a\n  cross join read_blob('/x')"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageContaining("read_blob")
        .extracting(e -> ((SqlRejectedException) e).line())
        .isEqualTo(4);
    assertThatThrownBy(() -> session.parseSelect("select 1\nfrom raw.a\nwher x = 1 (2"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageStartingWith("Syntax error")
        .extracting(e -> ((SqlRejectedException) e).line())
        .isEqualTo(3);
  }

  @Test
  void checksInOneSessionEachSeeTheirOwnSql() {
    // the session prepares the parser's statement once and binds each check's SQL to it: a check
    // after a refusal, a syntax error or a failed statement reads its own SQL, not the last one's
    assertThatThrownBy(() -> session.parseSelect("select * from read_text('/x')"))
        .isInstanceOf(SqlRejectedException.class);
    assertThat(session.parseSelect("select * from raw.a").tables())
        .extracting(TableReference::toString)
        .containsExactly("raw.a");
    assertThatThrownBy(() -> session.parseSelect("select from where"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageStartingWith("Syntax error");
    assertThatThrownBy(() -> session.execute("select * from no_such_table"))
        .isInstanceOf(QueryException.class);
    assertThat(session.parseSelect("select 1 from curated.b join raw.c using (x)").tables())
        .extracting(TableReference::toString)
        .containsExactly("curated.b", "raw.c");
  }

  @Test
  void theEngineRefusesSettingChangesEvenWithoutTheParserCheck() {
    for (String change :
        List.of(
            "SET autoload_known_extensions = true",
            "SET allow_community_extensions = true",
            "SET temp_directory = '/tmp'",
            "RESET lock_configuration")) {
      assertThatThrownBy(() -> session.execute(change))
          .as(change)
          .isInstanceOf(QueryException.class)
          .hasMessageContaining("locked");
    }
    // what sessions themselves do still works
    session.execute("CREATE TEMP TABLE t AS SELECT 1 AS x");
    try (EngineSession other = engine.openSession()) {
      assertThat(other.query("SELECT 42", 1).rows()).containsExactly(List.of(42));
    }
  }

  @Test
  void refusedStatementsRunNothing() {
    Path written = directory.resolve("leak.csv");
    assertThatThrownBy(
            () -> session.parseSelect("select 1; copy (select 42) to '" + written + "' (header)"))
        .isInstanceOf(SqlRejectedException.class);
    assertThat(Files.exists(written)).isFalse();
  }
}
