package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssetGraphTest {
  private final AssetGraph graph =
      AssetGraph.of(
          Map.of(
              "shop.orders", AssetGraph.Kind.SOURCE_TABLE,
              "countries", AssetGraph.Kind.SEED,
              "orders", AssetGraph.Kind.MODEL,
              "revenue", AssetGraph.Kind.MODEL,
              "report", AssetGraph.Kind.MODEL),
          Map.of(
              "orders", Set.of("shop.orders", "countries"),
              "revenue", Set.of("orders"),
              "report", Set.of("revenue", "countries")));

  @Test
  void ordersAssetsAfterTheirDependencies() {
    assertThat(graph.topologicalOrder())
        .containsExactly("countries", "shop.orders", "orders", "revenue", "report");
  }

  @Test
  void knowsDirectAndTransitiveNeighbours() {
    assertThat(graph.upstream("orders")).containsExactlyInAnyOrder("shop.orders", "countries");
    assertThat(graph.downstream("countries")).containsExactlyInAnyOrder("orders", "report");
    assertThat(graph.allUpstream("report"))
        .containsExactly("countries", "shop.orders", "orders", "revenue");
    assertThat(graph.allDownstream("shop.orders")).containsExactly("orders", "revenue", "report");
    assertThat(graph.allDownstream("report")).isEmpty();
  }

  @Test
  void selectsNamedAssetsInTopologicalOrder() {
    assertThat(graph.select(List.of("report", "orders", "report")))
        .containsExactly("orders", "report");
  }

  @Test
  void selectingAnUnknownAssetSuggestsOne() {
    assertThatThrownBy(() -> graph.select(List.of("revenu")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Unknown asset 'revenu'")
        .hasMessageContaining("did you mean 'revenue'?");
  }

  @Test
  void rejectsCyclesWithTheirPath() {
    assertThat(AssetGraph.findCycle(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"))))
        .containsExactly("a", "b", "c", "a");
    assertThatThrownBy(
            () ->
                AssetGraph.of(
                    Map.of("a", AssetGraph.Kind.MODEL, "b", AssetGraph.Kind.MODEL),
                    Map.of("a", Set.of("b"), "b", Set.of("a"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a → b → a");
  }

  @Test
  void handlesLongChainsWithoutRecursion() {
    Map<String, AssetGraph.Kind> kinds = new java.util.HashMap<>();
    Map<String, Set<String>> upstream = new java.util.HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      kinds.put("m" + i, AssetGraph.Kind.MODEL);
      if (i > 0) {
        upstream.put("m" + i, Set.of("m" + (i - 1)));
      }
    }
    AssetGraph chain = AssetGraph.of(kinds, upstream);
    assertThat(chain.topologicalOrder()).hasSize(20_000).startsWith("m0", "m1");
    assertThat(chain.allUpstream("m19999")).hasSize(19_999);
  }
}
