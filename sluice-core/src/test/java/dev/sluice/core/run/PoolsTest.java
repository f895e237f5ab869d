package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.StepKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A named pool's slots bound how many of its steps run at once, whatever the threads. */
class PoolsTest {
  @TempDir Path project;

  @Test
  void poolMembersRunOneAtATimeWhileOthersRunBesideThem() throws IOException {
    write(project, "sluice.yaml", "name: pools\nthreads: 4\npools:\n  warehouse: 1\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    pool: warehouse\n");
    String heavy =
        "select (select sum(a.range * b.range) from range(15000) a, range(15000) b) as x\n";
    for (String name : new String[] {"p1", "p2", "p3"}) {
      write(project, "models/curated/" + name + ".sql", "{{ config(pool='warehouse') }}\n" + heavy);
    }
    write(project, "models/curated/free.sql", heavy);
    AtomicInteger inPool = new AtomicInteger();
    AtomicInteger mostInPool = new AtomicInteger();
    RunListener listener =
        new RunListener() {
          @Override
          public void stepStarted(String asset, StepKind kind) {
            if (asset.startsWith("p")) {
              mostInPool.accumulateAndGet(inPool.incrementAndGet(), Math::max);
            }
          }

          @Override
          public void stepFinished(StepResult result) {
            if (result.asset().startsWith("p")) {
              inPool.decrementAndGet();
            }
          }
        };
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), listener);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(mostInPool.get()).isEqualTo(1);
      assertThat(workspace.project().models().get("p1").execution().pool()).isEqualTo("warehouse");
      assertThat(workspace.project().sourceTable("app", "events").orElseThrow().execution().pool())
          .isEqualTo("warehouse");
    }
  }

  @Test
  void unknownPoolsAndBadSlotsAreProjectErrors() throws IOException {
    write(project, "sluice.yaml", "name: pools\npools:\n  warehouse: 0\n");
    write(project, "models/curated/m.sql", "{{ config(pool='warehose') }}\nselect 1 as x\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    pool: loaders\n");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("Pool 'warehouse' must have at least 1 slot")
        .hasMessageContaining("Unknown pool 'warehose'")
        .hasMessageContaining("sources/app.yaml:3: Unknown pool 'loaders' for app.events");
  }
}
