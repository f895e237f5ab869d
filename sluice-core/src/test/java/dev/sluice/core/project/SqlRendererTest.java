package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlRendererTest {
  private static final TableName THIS = new TableName("curated", "events_daily");

  private final SqlRenderer renderer = new SqlRenderer();

  private static ModelDef model(String sql) {
    return ModelDef.builder(
            "events_daily",
            Path.of("models/curated/events_daily.sql"),
            sql,
            Zone.CURATED,
            new Location("models/curated/events_daily.sql", 1))
        .materialization(Materialization.INCREMENTAL)
        .build();
  }

  private static SqlRenderer.RenderContext context(boolean incremental, Map<String, Object> vars) {
    return new SqlRenderer.RenderContext(
        incremental,
        vars,
        name -> name.equals("events") ? new TableName("curated", "events") : null,
        (source, table) -> new TableName("raw", source + "_" + table),
        THIS);
  }

  private static final String INCREMENTAL_SQL =
      """
      {{ config(materialized='incremental', unique_key='id') }}
      select id, day
      from {{ ref('events') }}
      {% if is_incremental() %}
      where day > (select max(day) from {{ this }})
      {% endif %}
      """;

  @Test
  void rendersTheIncrementalBranchOnlyWhenIncremental() {
    String incremental = renderer.render(model(INCREMENTAL_SQL), context(true, Map.of()));
    String full = renderer.render(model(INCREMENTAL_SQL), context(false, Map.of()));

    assertThat(incremental)
        .contains("from \"curated\".\"events\"")
        .contains("where day > (select max(day) from \"curated\".\"events_daily\")");
    assertThat(full).contains("from \"curated\".\"events\"").doesNotContain("where");
  }

  @Test
  void keepsTheLinesOfTheFile() {
    String sql = renderer.render(model(INCREMENTAL_SQL), context(true, Map.of()));

    List<String> lines = sql.lines().toList();
    assertThat(lines).hasSize(INCREMENTAL_SQL.lines().toList().size());
    assertThat(lines.get(0)).as("config() renders nothing").isEmpty();
    assertThat(lines.get(2)).isEqualTo("from \"curated\".\"events\"");
    assertThat(lines.get(4)).startsWith("where day >");
  }

  @Test
  void rendersSourcesAndVarsWithDefaults() {
    String sql =
        renderer.render(
            model(
                "select '{{ var('currency') }}', {{ var('limit', 10) }}, '{{ var(\"x\", 'd') }}'\n"
                    + "from {{ source('shop', 'orders') }}"),
            context(false, Map.of("currency", "EUR")));

    assertThat(sql).isEqualTo("select 'EUR', 10, 'd'\nfrom \"raw\".\"shop_orders\"");
  }

  @Test
  void unknownVarWithoutDefaultNamesFileAndLine() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    model("select 1\nwhere x = '{{ var('region') }}'"), context(false, Map.of())))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        problem -> {
                          assertThat(problem.location())
                              .isEqualTo(new Location("models/curated/events_daily.sql", 2));
                          assertThat(problem.message()).isEqualTo("Unknown var 'region'");
                        }));
  }

  @Test
  void unresolvableRefNamesTheLine() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    model("select\n*\nfrom {{ ref('nope') }}"), context(false, Map.of())))
        .isInstanceOf(ProjectException.class)
        .hasMessageStartingWith("models/curated/events_daily.sql:3:")
        .hasMessageContaining("ref('nope')");
  }

  @Test
  void templateSyntaxErrorNamesTheLine() {
    assertThatThrownBy(
            () ->
                renderer.render(
                    model("select 1\n\nfrom {{ ref('events' }}"), context(false, Map.of())))
        .isInstanceOf(ProjectException.class)
        .hasMessageStartingWith("models/curated/events_daily.sql:3:");
  }

  @Test
  void unknownNameInTemplateIsAnError() {
    assertThatThrownBy(() -> renderer.render(model("select {{ thsi }}"), context(false, Map.of())))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("Unknown name 'thsi'");
  }

  @Test
  void configReceivesNamedArguments() {
    Problems problems = new Problems();
    TemplateSession session =
        new TemplateSession(
            Location.of("models/a.sql"),
            true,
            false,
            true,
            Map.of(),
            name -> new TableName("curated", name),
            (source, table) -> new TableName("raw", source + "_" + table),
            problems);

    String sql =
        SqlRenderer.render(
            "{{ config(materialized='incremental', unique_key=['a', 'b'], zone='published') }}x",
            session,
            THIS);

    assertThat(sql).isEqualTo("x");
    assertThat(problems.isEmpty()).isTrue();
    assertThat(session.config())
        .containsEntry("materialized", "incremental")
        .containsEntry("zone", "published");
    assertThat(session.config().get("unique_key")).isEqualTo(List.of("a", "b"));
  }

  @Test
  void removesATrailingSemicolon() {
    assertThat(renderer.render(model("select 1;\n"), context(false, Map.of())))
        .isEqualTo("select 1\n");
  }

  @Test
  void rendersCheckQueries() {
    String sql =
        renderer.renderCheckQuery(
            "select * from {{ this }} t left join {{ ref('events') }} e using (id)"
                + " where t.x > {{ var('max') }}",
            THIS,
            name -> new TableName("curated", name),
            (source, table) -> new TableName("raw", source + "_" + table),
            Map.of("max", 5));

    assertThat(sql)
        .isEqualTo(
            "select * from \"curated\".\"events_daily\" t left join \"curated\".\"events\" e"
                + " using (id) where t.x > 5");
  }

  @Test
  void checkQueryErrorsNameTheCheck() {
    Location check = new Location("models/a.yaml", 12);
    assertThatThrownBy(
            () ->
                renderer.renderCheckQuery(
                    "select * from {{ ref('gone') }}",
                    THIS,
                    name -> null,
                    (source, table) -> null,
                    Map.of(),
                    check))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e -> assertThat(e.problems().get(0).location()).isEqualTo(check));
  }
}
