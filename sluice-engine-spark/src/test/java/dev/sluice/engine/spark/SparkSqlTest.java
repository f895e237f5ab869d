package dev.sluice.engine.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.engine.TableReference;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Spark's own grammar reads Sluice's SQL without a server. */
class SparkSqlTest {
  @Test
  void registeredTablesAreRenamedToTheirViewsAndNothingElseChanges() {
    String sql =
        "SELECT o.id, 'raw.orders' AS label, \"raw\".\"orders\".id\n"
            + "FROM \"raw\".\"orders\" o JOIN curated.customers c ON o.customer = c.id\n"
            + "WHERE o.note <> 'FROM raw.orders'";
    assertThat(SparkSql.rewriteTables(sql, Set.of("raw.orders")::contains))
        .isEqualTo(
            "SELECT o.id, 'raw.orders' AS label, \"raw\".\"orders\".id\n"
                + "FROM `raw.orders` o JOIN curated.customers c ON o.customer = c.id\n"
                + "WHERE o.note <> 'FROM raw.orders'");
  }

  @Test
  void sqlSparkCannotParseIsLeftForTheServerToReport() {
    assertThat(SparkSql.rewriteTables("SELEC * FROM raw.orders", Set.of("raw.orders")::contains))
        .isEqualTo("SELEC * FROM raw.orders");
  }

  @Test
  void parsingNamesTheTablesWithTheirLines() {
    assertThat(
            SparkSql.parseSelect("SELECT *\nFROM raw.orders o\nJOIN \"curated\".\"c\" USING (id)")
                .tables())
        .containsExactly(
            new TableReference("raw", "orders", 2), new TableReference("curated", "c", 3));
  }

  @Test
  void functionsThatReachOutsideTheNamedTablesAreRejectedWithTheirLine() {
    assertThatThrownBy(
            () -> SparkSql.parseSelect("SELECT 1,\n reflect('java.lang.System', 'exit', '0')"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageContaining("reflect")
        .satisfies(e -> assertThat(((SqlRejectedException) e).line()).isEqualTo(2));
    assertThatThrownBy(() -> SparkSql.parseSelect("SELECT * FROM read_files('/etc')"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageContaining("read_files");
    assertThatThrownBy(() -> SparkSql.parseSelect("SELECT * FROM IDENTIFIER('raw.orders')"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageContaining("IDENTIFIER");
    assertThatThrownBy(() -> SparkSql.parseSelect("SELECT * FROM a.b.c"))
        .isInstanceOf(SqlRejectedException.class)
        .hasMessageContaining("a.b.c");
  }

  @Test
  void positionalParametersAreCountedOutsideStrings() {
    assertThat(SparkSql.countParameters("SELECT ? AS a, '?' AS b WHERE x = ?")).isEqualTo(2);
  }
}
