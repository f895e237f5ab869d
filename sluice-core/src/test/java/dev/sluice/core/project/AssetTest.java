package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.TableName;
import dev.sluice.core.state.StepKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A project's assets are models, seeds and source tables, each its own type. */
class AssetTest {
  @TempDir Path root;

  private Project project() {
    write(root, "sluice.yaml", "name: shop\nretries: 4\n");
    write(root, "sources/shop.yaml", "tables:\n  - name: orders\n    path: data/*.csv\n");
    write(root, "seeds/countries.csv", "code\nDE\n");
    write(
        root,
        "seeds/countries.yaml",
        "seeds:\n  - name: countries\n    columns:\n      - name: code\n        checks: [not_null]\n");
    write(root, "models/published/revenue.sql", "select 1 as amount\n");
    write(
        root,
        "models/published/revenue.yaml",
        "models:\n"
            + "  - name: revenue\n"
            + "    checks: [{row_count: {min: 1}}]\n"
            + "    columns:\n"
            + "      - name: amount\n"
            + "        checks: [not_null]\n");
    return Project.load(root);
  }

  @Test
  void eachAssetIsItsKindWithItsTableAndChecks() {
    Project project = project();

    Asset model = project.asset("revenue");
    assertThat(model).isInstanceOf(Asset.Model.class);
    assertThat(model.stepKind()).isEqualTo(StepKind.MODEL);
    assertThat(model.tableName()).isEqualTo(new TableName("published", "revenue"));
    assertThat(model.allChecks())
        .extracting(CheckDef::type)
        .containsExactly("row_count", "not_null");

    Asset seed = project.asset("countries");
    assertThat(seed).isInstanceOf(Asset.Seed.class);
    assertThat(seed.stepKind()).isEqualTo(StepKind.SEED);
    assertThat(seed.tableName()).isEqualTo(new TableName("curated", "countries"));
    assertThat(seed.allChecks()).extracting(CheckDef::type).containsExactly("not_null");
    assertThat(seed.execution(project.config())).isEqualTo(project.config().execution());

    Asset source = project.asset("shop.orders");
    assertThat(source).isInstanceOf(Asset.SourceTable.class);
    assertThat(source.name()).isEqualTo("shop.orders");
    assertThat(source.stepKind()).isEqualTo(StepKind.SOURCE);
    assertThat(source.tableName())
        .isEqualTo(project.sourceTable("shop", "orders").orElseThrow().tableName());

    assertThat(
            java.util.List.of(model, seed, source).stream()
                .map(
                    asset ->
                        asset.map(m -> "m:" + m.name(), s -> "s:" + s.name(), t -> "t:" + t.name()))
                .toList())
        .containsExactly("m:revenue", "s:countries", "t:orders");
  }

  @Test
  void anUnknownAssetIsNamed() {
    Project project = project();
    assertThat(project.findAsset("nope")).isEmpty();
    assertThat(project.findAsset("shop.nope")).isEmpty();
    assertThat(project.findAsset("nope.orders")).isEmpty();
    assertThatThrownBy(() -> project.asset("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown asset nope");
  }
}
