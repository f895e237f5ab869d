package dev.sluice.core.env;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.connector.testkit.ChildJava;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promotion whose process is killed (SIGKILL, a real child JVM) half-way is finished by {@code
 * resume}; two promotions at the same time, each in its own workspace, are serialized. Against a
 * real warehouse (Iceberg on SQLite, DuckDB) and the state database's lock.
 */
class PromotionKilledTest {
  @TempDir Path project;

  private static long value(Workspace workspace, String sql) {
    return ((Number)
            new QueryService(workspace).query(sql, ReadPoint.main(), 10).rows().get(0).get(0))
        .longValue();
  }

  private static List<String> auditEvents(Workspace workspace) {
    return workspace
        .runStore()
        .audit()
        .records(AuditFilter.all().withAction(AuditAction.PROMOTION))
        .stream()
        .map(AuditRecord::details)
        .toList();
  }

  private void buildProduction() {
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
  }

  @Test
  void aPromotionWhoseProcessIsKilledHalfWayIsFinishedByResume() throws Exception {
    write(project, "sluice.yaml", "name: killed\n");
    write(project, "models/curated/base.sql", "select * from (values (1), (2)) t(n)\n");
    write(project, "models/curated/doubled.sql", "select n * 2 as n from {{ ref('base') }}\n");
    write(project, "models/published/total.sql", "select sum(n) as n from {{ ref('doubled') }}\n");
    buildProduction();
    write(project, "models/curated/base.sql", "select * from (values (1), (2), (3)) t(n)\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(
              new Environments(workspace)
                  .build("dev", RunOptions.all(), RunListener.NONE)
                  .changes())
          .extracting(Environments.Change::model)
          .containsExactly("base", "doubled", "total");
    }

    // the child promotes dev and is killed before its second table moves
    Process child =
        new ProcessBuilder(
                ChildJava.command(PromoteInChildProcess.class, project.toString(), "dev", "1"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); !"waiting".equals(line); line = out.readLine()) {
        assertThat(line).as("the child's output so far: " + lines).isNotNull();
        lines.add(line);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(lines).containsExactly("moving curated.base", "moving curated.doubled");

    try (Workspace workspace = Workspace.open(Project.load(project))) {
      Promotion running = workspace.runStore().promotions().running().orElseThrow();
      assertThat(running.environment()).isEqualTo("dev");
      assertThat(running.tables())
          .extracting(PromotedTable::table, PromotedTable::done)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("curated.base", true),
              org.assertj.core.groups.Tuple.tuple("curated.doubled", false),
              org.assertj.core.groups.Tuple.tuple("published.total", false));
      // what readers see until it is resumed: the promoted upstream under production's downstream
      assertThat(value(workspace, "select count(*) from curated.base")).isEqualTo(3);
      assertThat(value(workspace, "select sum(n) from curated.doubled")).isEqualTo(6);
      assertThat(value(workspace, "select n from published.total")).isEqualTo(6);
      // the killed promotion still holds the lock
      assertThatThrownBy(() -> new Promotions(workspace).promote("dev", RunListener.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("Promotion " + running.id())
          .hasMessageContaining("sluice promote --resume");

      Promotion finished = new Promotions(workspace).resume().promotion();
      assertThat(finished.id()).isEqualTo(running.id());
      assertThat(finished.status()).isEqualTo(PromotionRecords.Status.DONE);
      assertThat(finished.tables()).extracting(PromotedTable::done).containsOnly(true);
      assertThat(value(workspace, "select sum(n) from curated.doubled")).isEqualTo(12);
      assertThat(value(workspace, "select n from published.total")).isEqualTo(12);
      assertThat(workspace.lake().branches().tablesWith("dev")).isEmpty();
      assertThat(workspace.runStore().environments().find("dev")).isEmpty();
      assertThat(auditEvents(workspace))
          .anyMatch(details -> details.contains("\"started\""))
          .anyMatch(details -> details.contains("\"resumed\""))
          .anyMatch(details -> details.contains("\"promoted\""));
      // resuming again has nothing to do
      assertThatThrownBy(() -> new Promotions(workspace).resume())
          .hasMessageContaining("No promotion to resume");
    }
  }

  @Test
  void twoPromotionsAtTheSameTimeAreSerialized() throws Exception {
    write(project, "sluice.yaml", "name: concurrent\n");
    write(project, "models/curated/a.sql", "select 1 as n\n");
    write(project, "models/curated/b.sql", "select 1 as n\n");
    buildProduction();
    environments(2);

    // one promotion holds the lock (stopped before its table moves); the other is refused
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Promotions.Outcome> first =
          threads.submit(
              () -> {
                try (Workspace workspace = Workspace.open(Project.load(project))) {
                  return new Promotions(workspace)
                      .beforeMove(
                          table -> {
                            inside.countDown();
                            try {
                              release.await();
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                          })
                      .promote("one", RunListener.NONE);
                }
              });
      assertThat(inside.await(120, TimeUnit.SECONDS)).isTrue();
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        String running = workspace.runStore().promotions().running().orElseThrow().id();
        assertThatThrownBy(() -> new Promotions(workspace).promote("two", RunListener.NONE))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("Promotion " + running + " of environment one is running")
            .hasMessageContaining("promotions run one at a time");
        assertThat(value(workspace, "select n from curated.b")).isEqualTo(1);
        assertThat(auditEvents(workspace))
            .anyMatch(details -> details.contains("\"refused\"") && details.contains(running));
      }
      release.countDown();
      assertThat(first.get(120, TimeUnit.SECONDS).succeeded()).isTrue();

      // the lock is released: the other environment promotes now
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        assertThat(new Promotions(workspace).promote("two", RunListener.NONE).succeeded()).isTrue();
        assertThat(value(workspace, "select n from curated.a")).isEqualTo(2);
        assertThat(value(workspace, "select n from curated.b")).isEqualTo(2);
      }

      // both at once, rounds of a race: never two promotions running together
      for (int round = 3; round <= 5; round++) {
        environments(round);
        CyclicBarrier start = new CyclicBarrier(2);
        // while a promotion moves a table, it must be the only one running: each looks, and
        // lingers there so that another running at the same time would be seen
        List<String> overlaps = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Future<Promotions.Outcome>> racing = new ArrayList<>();
        for (String environment : List.of("one", "two")) {
          racing.add(
              threads.submit(
                  () -> {
                    try (Workspace workspace = Workspace.open(Project.load(project))) {
                      start.await(60, TimeUnit.SECONDS);
                      return new Promotions(workspace)
                          .beforeMove(
                              table -> {
                                List<String> running =
                                    workspace.runStore().promotions().list().stream()
                                        .filter(
                                            promotion ->
                                                promotion.status()
                                                    == PromotionRecords.Status.RUNNING)
                                        .map(Promotion::environment)
                                        .toList();
                                if (!running.equals(List.of(environment))) {
                                  overlaps.add(environment + " moving " + table + ": " + running);
                                }
                                try {
                                  Thread.sleep(200);
                                } catch (InterruptedException e) {
                                  Thread.currentThread().interrupt();
                                }
                              })
                          .promote(environment, RunListener.NONE);
                    }
                  }));
        }
        List<Promotion> done = new ArrayList<>();
        for (Future<Promotions.Outcome> outcome : racing) {
          try {
            Promotions.Outcome promoted = outcome.get(120, TimeUnit.SECONDS);
            assertThat(promoted.succeeded()).isTrue();
            done.add(promoted.promotion());
          } catch (java.util.concurrent.ExecutionException refused) {
            assertThat(refused.getCause())
                .isInstanceOf(InvalidInputException.class)
                .message()
                .containsAnyOf("promotions run one at a time", "Another promotion started");
          }
        }
        assertThat(done).isNotEmpty();
        assertThat(overlaps).isEmpty();
        try (Workspace workspace = Workspace.open(Project.load(project))) {
          assertThat(workspace.runStore().promotions().running()).isEmpty();
          for (Promotion promotion : done) {
            String table = promotion.environment().equals("one") ? "curated.a" : "curated.b";
            assertThat(value(workspace, "select n from " + table)).isEqualTo(round);
          }
          // a refused one is promoted afterwards, alone
          for (String environment : List.of("one", "two")) {
            if (workspace.runStore().environments().find(environment).isPresent()) {
              assertThat(
                      new Promotions(workspace).promote(environment, RunListener.NONE).succeeded())
                  .isTrue();
            }
          }
          assertThat(value(workspace, "select n from curated.a")).isEqualTo(round);
          assertThat(value(workspace, "select n from curated.b")).isEqualTo(round);
        }
      }
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }

  /** Environment one changes a to {@code n}, environment two changes b to {@code n}. */
  private void environments(int n) throws java.io.IOException {
    write(project, "models/curated/a.sql", "select " + n + " as n\n");
    write(project, "models/curated/b.sql", "select " + n + " as n\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      Environments environments = new Environments(workspace);
      assertThat(
              environments
                  .build("one", new RunOptions(List.of("a"), List.of(), false), RunListener.NONE)
                  .succeeded())
          .isTrue();
      assertThat(
              environments
                  .build("two", new RunOptions(List.of("b"), List.of(), false), RunListener.NONE)
                  .succeeded())
          .isTrue();
    }
  }
}
