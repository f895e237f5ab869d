package dev.sluice.core.env;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.DerivedCache;
import dev.sluice.lake.CarriedState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison with production keeps what it read of each table by the location of the table's
 * metadata file (issue 17, item 7): an unchanged table is not loaded again, and a table changed by
 * any writer, Sluice or not, is read again and seen as changed.
 */
class TableStateCacheTest {
  private static final TableName CLEAN = TableName.parse("curated.clean");

  @TempDir Path project;

  @BeforeEach
  void buildProduction() throws IOException {
    write("sluice.yaml", "name: kept\n");
    write("seeds/orders.csv", "id,amount\n1,10\n2,20\n");
    write("models/curated/clean.sql", "select id, amount from {{ ref('orders') }}\n");
    write("models/published/total.sql", "select sum(amount) as total from {{ ref('clean') }}\n");
    try (Workspace workspace = open()) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
  }

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  private Workspace open() {
    return Workspace.open(Project.load(project));
  }

  private List<String> rebuilt() {
    try (Workspace workspace = open()) {
      return new Environments(workspace)
          .changes("dev", List.of(), List.of()).stream().map(Environments.Change::model).toList();
    }
  }

  private Map<String, DerivedCache.Entry> kept() {
    try (Workspace workspace = open()) {
      return workspace.runStore().derivedCache().all(DerivedCache.Kind.TABLE_SUMMARY);
    }
  }

  private String location(TableName table) {
    try (Workspace workspace = open()) {
      return workspace.lake().tableMetadataLocations().get(table);
    }
  }

  @Test
  void aKeptStateIsUsedWhileTheTablesMetadataFileIsTheSame() {
    assertThat(rebuilt()).isEmpty();
    DerivedCache.Entry clean = kept().get(CLEAN.toString());
    assertThat(clean.key()).isEqualTo(location(CLEAN));

    // a kept state that says another fingerprint, at the table's current metadata file: the
    // comparison believes it (it did not load the table), so the model is seen as changed
    TableState other =
        new TableState(
            Map.of("main", new TableState.BranchState("another", List.of("id", "amount"), 2L)));
    try (Workspace workspace = open()) {
      workspace
          .runStore()
          .derivedCache()
          .put(
              DerivedCache.Kind.TABLE_SUMMARY,
              Map.of(CLEAN.toString(), new DerivedCache.Entry(clean.key(), other.toJson())),
              List.of(),
              Instant.now());
    }
    assertThat(rebuilt()).containsExactly("clean", "total");

    // without a kept state, the table is read again: nothing differs
    try (Workspace workspace = open()) {
      workspace
          .runStore()
          .derivedCache()
          .put(DerivedCache.Kind.TABLE_SUMMARY, Map.of(), List.of(CLEAN.toString()), Instant.now());
    }
    assertThat(rebuilt()).isEmpty();
    assertThat(kept().get(CLEAN.toString()).value()).isEqualTo(clean.value());
  }

  @Test
  void aTableChangedBehindSluicesBackIsReadAgainAndSeenAsChanged() {
    assertThat(rebuilt()).isEmpty();
    String before = location(CLEAN);
    assertThat(kept().get(CLEAN.toString()).key()).isEqualTo(before);

    // another writer commits to the table with Iceberg's API: a snapshot carrying another
    // model's fingerprint, as if another project's build had replaced it
    try (Workspace workspace = open()) {
      Table table = workspace.lake().loadTable(CLEAN);
      table.newAppend().set(CarriedState.MODEL_FINGERPRINT, "written-elsewhere").commit();
    }
    String after = location(CLEAN);
    assertThat(after).isNotEqualTo(before);

    assertThat(rebuilt()).contains("clean");
    assertThat(kept().get(CLEAN.toString()).key()).isEqualTo(after);
    assertThat(kept().get(CLEAN.toString()).value()).contains("written-elsewhere");
  }

  @Test
  void aDroppedTableIsForgotten() {
    assertThat(rebuilt()).isEmpty();
    assertThat(kept()).containsKey("published.total");
    try (Workspace workspace = open()) {
      assertThat(workspace.lake().dropTable(TableName.parse("published.total"))).isTrue();
    }
    assertThat(rebuilt()).containsExactly("total");
    assertThat(kept()).doesNotContainKey("published.total");
  }
}
