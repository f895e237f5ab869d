package dev.sluice.api.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.engine.EngineSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorOptionsTest {
  /** A connector whose {@code page_size} needs {@code paged: true}. */
  private static final SourceConnector CONNECTOR =
      new SourceConnector() {
        @Override
        public String type() {
          return "pages";
        }

        @Override
        public List<ConnectorOption> options() {
          return List.of(
              ConnectorOption.builder("url", ConnectorOption.Type.STRING).required().build(),
              ConnectorOption.builder("paged", ConnectorOption.Type.BOOLEAN)
                  .defaultValue("false")
                  .build(),
              ConnectorOption.builder("page_size", ConnectorOption.Type.INTEGER).build(),
              ConnectorOption.builder("password", ConnectorOption.Type.STRING).secret().build());
        }

        @Override
        public List<String> validate(ConnectorOptions options) {
          List<String> problems = new ArrayList<>();
          if (options.has("page_size") && !options.bool("paged")) {
            problems.add("'page_size' needs paged: true");
          }
          return problems;
        }

        @Override
        public StagedData stage(SourceTableSpec table, LoadState state, EngineSession session) {
          throw new UnsupportedOperationException();
        }
      };

  private static SourceTableSpec table(Map<String, String> options) {
    return new SourceTableSpec("shop", "orders", Path.of("."), false, false, options, List.of());
  }

  @Test
  void checkedOptionsHaveTheirDefaults() {
    ConnectorOptions options =
        ConnectorOptions.checked(CONNECTOR, table(Map.of("url", "https://shop.test")));

    assertThat(options.string("url")).isEqualTo("https://shop.test");
    assertThat(options.bool("paged")).isFalse();
    assertThat(options.isGiven("paged")).isFalse();
  }

  @Test
  void optionsThatDoNotWorkTogetherFailNamingTheTable() {
    assertThatThrownBy(
            () ->
                ConnectorOptions.checked(
                    CONNECTOR, table(Map.of("url", "https://shop.test", "page_size", "10"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "Options of source table 'shop.orders' cannot work: 'page_size' needs paged: true");
  }

  @Test
  void theConnectorsOwnProblemsFailWithTheOptionsProblems() {
    assertThatThrownBy(
            () ->
                ConnectorOptions.checked(
                    CONNECTOR,
                    table(Map.of("url", "https://shop.test", "page_size", "10")),
                    List.of("column 'total': decimal(40, 2) is not supported")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "Options of source table 'shop.orders' cannot work: 'page_size' needs paged: true;"
                + " column 'total': decimal(40, 2) is not supported");
  }

  @Test
  void aMissingOrBadlyTypedOptionFailsWithoutShowingASecret() {
    assertThatThrownBy(() -> ConnectorOptions.checked(CONNECTOR, table(Map.of())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Missing option 'url' of source table 'shop.orders'");
    assertThatThrownBy(
            () ->
                ConnectorOptions.checked(
                    CONNECTOR, table(Map.of("url", "u", "page_size", "ten", "password", "s3cr3t"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Option 'page_size' of source table 'shop.orders' must be a whole")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void aTableIsNamedAndStagedUnderItsSourceAndName() {
    SourceTableSpec table =
        new SourceTableSpec(
            "shop-eu", "order items", Path.of("."), false, false, Map.of(), List.of());

    assertThat(table.described()).isEqualTo("source table 'shop-eu.order items'");
    assertThat(table.stagingName()).isEqualTo("stage_shop_eu_order_items");
  }
}
