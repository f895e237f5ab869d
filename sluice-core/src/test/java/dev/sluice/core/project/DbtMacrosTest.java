package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dbt project's macros (its macro paths) and target are callable from its models. */
class DbtMacrosTest {
  @TempDir Path project;

  @Test
  void modelsCallTheProjectsMacrosWithCallBlocksAndSeeTheTarget() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/payments.csv", "id,amount\n1,1000\n");
    write(
        project,
        "macros/cents_to_dollars.sql",
        """
        {% macro cents_to_dollars(column_name, scale=2) -%}
            ({{ column_name }} / 100)::numeric(16, {{ scale }})
        {%- endmacro %}

        {% macro in_target() -%}
            '{{ target.name }}' as target_name, '{{ caller() | trim }}' as note
        {%- endmacro %}
        """);
    write(
        project,
        "models/payments_usd.sql",
        """
        select id, {{ cents_to_dollars('amount') }} as amount,
        {% call in_target() %} from macros {% endcall %}
        from {{ ref('payments') }}
        """);

    Project loaded = Project.load(project, Map.of());
    ModelDef model = loaded.models().get("payments_usd");
    String sql =
        new SqlRenderer().render(model, SqlRenderer.RenderContext.of(loaded, model, false));

    assertThat(sql)
        .contains("(amount / 100)::numeric(16, 2) as amount")
        .contains("'dev' as target_name, 'from macros' as note")
        .contains("\"main\".\"payments\"");
  }
}
