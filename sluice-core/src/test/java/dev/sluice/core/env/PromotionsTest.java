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
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.PromotionRecords;
import dev.sluice.core.state.PromotionRecords.PromotedTable;
import dev.sluice.core.state.PromotionRecords.Promotion;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  @Test
  void aKilledPromotionThatProductionOvertookIsAbandonedAndItsMovedTablesMoveBack()
      throws Exception {
    write("sluice.yaml", "name: promote\n");
    write("models/curated/base.sql", "select * from (values (1), (2)) t(n)\n");
    write("models/curated/solo.sql", "select 10 as n\n");
    write("models/published/doubled.sql", "select n * 2 as n from {{ ref('base') }}\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
    write("models/curated/base.sql", "select * from (values (1), (2), (3)) t(n)\n");
    write("models/curated/solo.sql", "select 20 as n\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(
              new Environments(workspace)
                  .build("dev", RunOptions.all(), RunListener.NONE)
                  .changes())
          .hasSize(3);
      AtomicInteger moves = new AtomicInteger();
      Promotions killed =
          new Promotions(workspace)
              .beforeMove(
                  table -> {
                    if (moves.getAndIncrement() == 2) {
                      throw new IllegalStateException("killed before moving " + table);
                    }
                  });
      assertThatThrownBy(() -> killed.promote("dev", RunListener.NONE))
          .hasMessageContaining("killed before moving");
      Promotion running = workspace.runStore().promotions().running().orElseThrow();
      assertThat(running.tables())
          .extracting(PromotedTable::done)
          .containsExactly(true, true, false);
      PromotedTable first = running.tables().get(0);
      PromotedTable second = running.tables().get(1);
      PromotedTable notMoved = running.tables().get(2);

      // production overtakes the promotion: the second moved table and the one not moved yet are
      // rebuilt there (as a 'sluice run' would)
      write("models/curated/solo.sql", "select 30 as n\n");
      RunOptions production =
          new RunOptions(List.of(model(second), model(notMoved)), List.of(), false);
      assertThat(new Runner(workspace).run(production, RunListener.NONE).succeeded()).isTrue();
      long secondNow = main(workspace, second);
      long notMovedNow = main(workspace, notMoved);

      // the resume cannot finish it, names what changed, and moves nothing
      assertThatThrownBy(() -> new Promotions(workspace).resume())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("cannot be resumed: production changed since it started in")
          .hasMessageContaining(notMoved.table() + " (snapshot " + notMoved.fromSnapshotId())
          .hasMessageContaining("sluice promote --abandon " + running.id());
      assertThat(main(workspace, notMoved)).isEqualTo(notMovedNow);
      assertThat(main(workspace, first)).isEqualTo(first.toSnapshotId());

      // a wrong id is refused; then the running one is abandoned
      assertThatThrownBy(() -> new Promotions(workspace).abandon("promotion-nope"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the running one is " + running.id());
      Promotions.Abandonment abandoned = new Promotions(workspace).abandon(running.id());
      assertThat(abandoned.restored()).containsExactly(first.table());
      assertThat(abandoned.kept()).containsExactly(second.table());
      assertThat(abandoned.promotion().status()).isEqualTo(PromotionRecords.Status.ABANDONED);
      assertThat(abandoned.promotion().tables())
          .extracting(PromotedTable::done)
          .containsExactly(false, true, false);
      // the moved table is production's version before the promotion again; production's own
      // writes since are kept
      assertThat(main(workspace, first)).isEqualTo(first.fromSnapshotId());
      assertThat(main(workspace, second)).isEqualTo(secondNow);
      assertThat(main(workspace, notMoved)).isEqualTo(notMovedNow);
      assertThat(workspace.runStore().promotions().running()).isEmpty();
      assertThat(
              workspace
                  .runStore()
                  .audit()
                  .records(AuditFilter.all().withAction(AuditAction.PROMOTION))
                  .stream()
                  .map(AuditRecord::details))
          .anyMatch(details -> details.contains("\"resume refused\""))
          .anyMatch(
              details ->
                  details.contains("\"abandoned\"")
                      && details.contains("moved back: " + first.table()));

      // the lock is released: the next promotion is judged on its own (dev is behind now), and
      // the environment is kept to be rebased
      assertThatThrownBy(() -> new Promotions(workspace).promote("dev", RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("is behind production");
      assertThat(workspace.runStore().environments().find("dev")).isPresent();
      assertThatThrownBy(() -> new Promotions(workspace).abandon(null))
          .hasMessageContaining("No promotion to abandon");
    }
  }

  private static String model(PromotedTable table) {
    return TableName.parse(table.table()).name();
  }

  private static long main(Workspace workspace, PromotedTable table) {
    return workspace
        .lake()
        .currentSnapshot(TableName.parse(table.table()))
        .orElseThrow()
        .snapshotId();
  }
}
