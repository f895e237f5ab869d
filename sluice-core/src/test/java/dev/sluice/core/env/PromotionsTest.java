package dev.sluice.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.PromotionRecords;
import dev.sluice.core.state.PromotionRecords.PromotedTable;
import dev.sluice.core.state.PromotionRecords.Promotion;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promotion killed half-way is recorded as running, refuses any other promotion, and is finished
 * by {@link Promotions#resume}; against a real warehouse (Iceberg on SQLite, DuckDB).
 */
class PromotionsTest {
  @TempDir Path project;

  private void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  private static Object value(Workspace workspace, String sql) {
    return new QueryService(workspace).query(sql, ReadPoint.main(), 10).rows().get(0).get(0);
  }

  @Test
  void aPromotionInterruptedHalfWayIsFinishedByResumeAndBlocksOthersMeanwhile() throws Exception {
    write("sluice.yaml", "name: promote\n");
    write("models/curated/base.sql", "select * from (values (1), (2)) t(n)\n");
    write("models/published/doubled.sql", "select n * 2 as n from {{ ref('base') }}\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
    write("models/curated/base.sql", "select * from (values (1), (2), (3)) t(n)\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      Environments.Build build =
          new Environments(workspace).build("dev", RunOptions.all(), RunListener.NONE);
      assertThat(build.succeeded()).isTrue();
      assertThat(build.changes())
          .extracting(Environments.Change::model)
          .containsExactly("base", "doubled");

      AtomicInteger moves = new AtomicInteger();
      Promotions killed =
          new Promotions(workspace)
              .beforeMove(
                  table -> {
                    if (moves.getAndIncrement() == 1) {
                      throw new IllegalStateException("killed before moving " + table);
                    }
                  });
      assertThatThrownBy(() -> killed.promote("dev", RunListener.NONE))
          .hasMessageContaining("killed before moving published.doubled");

      Promotion running = workspace.runStore().promotions().running().orElseThrow();
      assertThat(running.tables()).extracting(PromotedTable::done).containsExactly(true, false);
      // half-way: base is the environment's, doubled still production's
      assertThat(((Number) value(workspace, "select count(*) from curated.base")).longValue())
          .isEqualTo(3);
      assertThat(((Number) value(workspace, "select count(*) from published.doubled")).longValue())
          .isEqualTo(2);
      // one promotion at a time, a killed one included
      assertThatThrownBy(() -> new Promotions(workspace).promote("dev", RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("Promotion " + running.id())
          .hasMessageContaining("sluice promote --resume");

      Promotion finished = new Promotions(workspace).resume().promotion();
      assertThat(finished.status()).isEqualTo(PromotionRecords.Status.DONE);
      assertThat(finished.tables()).extracting(PromotedTable::done).containsExactly(true, true);
      assertThat(((Number) value(workspace, "select sum(n) from published.doubled")).longValue())
          .isEqualTo(12);
      assertThat(workspace.lake().branches().tablesWith("dev")).isEmpty();
      assertThat(workspace.runStore().environments().find("dev")).isEmpty();
      assertThatThrownBy(() -> new Promotions(workspace).resume())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("No promotion to resume");

      // and back
      new Promotions(workspace).rollback(finished.id());
      assertThat(((Number) value(workspace, "select sum(n) from published.doubled")).longValue())
          .isEqualTo(6);
      assertThat(
              workspace
                  .lake()
                  .currentSnapshot(TableName.parse("curated.base"))
                  .orElseThrow()
                  .snapshotId())
          .isEqualTo(finished.tables().get(0).fromSnapshotId());
    }
  }
}
