package dev.sluice.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.ModelChange.AffectedModel;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change categories of {@code sluice plan} against what production was built from, on a real
 * warehouse (Iceberg on SQLite, DuckDB) built once for the class; each test edits files, plans and
 * puts the files back.
 */
class ChangePlannerTest {
  @TempDir static Path project;

  private static final Map<String, String> FILES = new LinkedHashMap<>();

  static {
    FILES.put("sluice.yaml", "name: changes\n");
    FILES.put("seeds/orders.csv", "id,amount,tag\n1,10,a\n2,20,b\n3,5,c\n");
    FILES.put(
        "models/curated/clean.sql",
        "select id, amount, tag, 'x' as note from {{ ref('orders') }}\n");
    FILES.put(
        "models/published/total.sql", "select sum(amount) as total from {{ ref('clean') }}\n");
    FILES.put(
        "models/published/tags.sql", "select id, upper(tag) as tag from {{ ref('clean') }}\n");
    FILES.put(
        "models/published/wide.sql",
        "select c.*, t.tag as upper_tag from {{ ref('clean') }} c join {{ ref('tags') }} t"
            + " using (id)\n");
    FILES.put(
        "models/curated/events.sql",
        "{{ config(materialized='incremental') }}\nselect id, amount from {{ ref('orders') }}\n");
  }

  @BeforeAll
  static void buildProduction() throws IOException {
    for (Map.Entry<String, String> file : FILES.entrySet()) {
      write(file.getKey(), file.getValue());
    }
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
    }
  }

  private static void write(String file, String content) throws IOException {
    Path path = project.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  /** Plans against production with the given files changed, then puts the files back. */
  private static List<ModelChange> plan(String... fileAndContent) throws IOException {
    try {
      for (int i = 0; i < fileAndContent.length; i += 2) {
        write(fileAndContent[i], fileAndContent[i + 1]);
      }
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        return new ChangePlanner(workspace).plan(null);
      }
    } finally {
      for (int i = 0; i < fileAndContent.length; i += 2) {
        String original = FILES.get(fileAndContent[i]);
        if (original == null) {
          Files.delete(project.resolve(fileAndContent[i]));
        } else {
          write(fileAndContent[i], original);
        }
      }
    }
  }

  private static ModelChange only(List<ModelChange> changes) {
    assertThat(changes).hasSize(1);
    return changes.get(0);
  }

  @Test
  void nothingChangedIsNoChangeAndReformattedSqlIsNoneEither() throws IOException {
    assertThat(plan()).isEmpty();

    ModelChange reformatted =
        only(
            plan(
                "models/published/total.sql",
                "select   sum(amount)  as total -- the sum\nfrom {{ ref('clean') }}\n"));
    assertThat(reformatted.category()).isEqualTo(ChangeCategory.NON_BREAKING);
    assertThat(reformatted.modifiedColumns()).isEmpty();
    assertThat(reformatted.rowsChanged()).isNull();
    assertThat(reformatted.downstream()).isEmpty();
  }

  @Test
  void aDescriptionOrCheckIsMetadataOnly() throws IOException {
    ModelChange change =
        only(
            plan(
                "models/published/total.yaml",
                "models:\n  - name: total\n    description: Revenue\n    columns:\n"
                    + "      - name: total\n        checks: [not_null]\n"));

    assertThat(change.model()).isEqualTo("total");
    assertThat(change.category()).isEqualTo(ChangeCategory.METADATA_ONLY);
    assertThat(change.metadata()).containsExactly("description", "columns", "checks");
    assertThat(change.downstream()).isEmpty();
  }

  @Test
  void changedLogicOfAColumnReadDownstreamIsBreakingForItsReadersOnly() throws IOException {
    ModelChange change =
        only(
            plan(
                "models/curated/clean.sql",
                "select id, amount * 100 as amount, tag, 'x' as note from {{ ref('orders') }}\n"));

    assertThat(change.category()).isEqualTo(ChangeCategory.BREAKING);
    assertThat(change.modifiedColumns()).containsExactly("amount");
    assertThat(change.rowsChanged()).isNull();
    // tags reads id and tag only; wide takes amount through its '*'
    assertThat(change.downstream())
        .extracting(AffectedModel::model, AffectedModel::columns, AffectedModel::allRows)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("total", List.of("total"), false),
            org.assertj.core.groups.Tuple.tuple("wide", List.of("amount"), false));
  }

  @Test
  void aChangeToAColumnNobodyReadsOrAnAddedColumnIsNonBreaking() throws IOException {
    ModelChange note =
        only(
            plan(
                "models/curated/clean.sql",
                "select id, amount, tag, 'y' as note from {{ ref('orders') }}\n"));
    assertThat(note.category()).isEqualTo(ChangeCategory.BREAKING);
    assertThat(note.downstream()).extracting(AffectedModel::model).containsExactly("wide");

    ModelChange added =
        only(
            plan(
                "models/published/total.sql",
                "select sum(amount) as total, count(*) as orders from {{ ref('clean') }}\n"));
    assertThat(added.category()).isEqualTo(ChangeCategory.NON_BREAKING);
    assertThat(added.addedColumns()).containsExactly("orders");
    assertThat(added.downstream()).isEmpty();

    ModelChange unread =
        only(
            plan(
                "models/published/tags.sql",
                "select id, lower(tag) as tag from {{ ref('clean') }}\n"));
    // wide joins tags on id and reads tag: breaking for wide's upper_tag only
    assertThat(unread.category()).isEqualTo(ChangeCategory.BREAKING);
    assertThat(unread.downstream())
        .extracting(AffectedModel::model, AffectedModel::columns)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("wide", List.of("upper_tag")));

    ModelChange leaf =
        only(
            plan(
                "models/published/total.sql",
                "select sum(amount) * 1.0 as total from {{ ref('clean') }}\n"));
    assertThat(leaf.category()).isEqualTo(ChangeCategory.NON_BREAKING);
    assertThat(leaf.modifiedColumns()).containsExactly("total");
  }

  @Test
  void aRemovedOrRenamedColumnIsBreaking() throws IOException {
    ModelChange change =
        only(
            plan(
                "models/curated/clean.sql",
                "select id, amount, tag as label, 'x' as note from {{ ref('orders') }}\n"));

    assertThat(change.category()).isEqualTo(ChangeCategory.BREAKING);
    assertThat(change.removedColumns()).containsExactly("tag");
    assertThat(change.addedColumns()).containsExactly("label");
    assertThat(change.downstream()).extracting(AffectedModel::model).contains("tags", "wide");
    assertThat(change.downstream()).extracting(AffectedModel::model).doesNotContain("total");
  }

  @Test
  void aChangedFilterChangesEveryRowDownstream() throws IOException {
    ModelChange change =
        only(
            plan(
                "models/curated/clean.sql",
                "select id, amount, tag, 'x' as note from {{ ref('orders') }} where amount > 5\n"));

    assertThat(change.category()).isEqualTo(ChangeCategory.BREAKING);
    assertThat(change.rowsChanged()).contains("outside its select list");
    assertThat(change.downstream())
        .extracting(AffectedModel::model)
        .containsExactlyInAnyOrder("total", "tags", "wide");
  }

  @Test
  void anIncrementalModelOffersForwardOnlyOrRebuildingItsHistory() throws IOException {
    ModelChange change =
        only(
            plan(
                "models/curated/events.sql",
                "{{ config(materialized='incremental') }}\n"
                    + "select id, amount * 2 as amount from {{ ref('orders') }}\n"));

    assertThat(change.history()).isNotNull();
    assertThat(change.history().materialization()).isEqualTo("incremental");
    assertThat(change.history().rows()).isEqualTo(3L);
    assertThat(change.history().forwardOnly()).contains("new rows only");
    assertThat(change.history().rebuild())
        .isEqualTo("sluice run --full-refresh --select events (rebuilds 3 rows)");
  }

  @Test
  void aNewModelIsNonBreakingAndAnEnvironmentBuildsOnlyTheReadersOfAChange() throws IOException {
    ModelChange added =
        only(
            plan("models/published/fresh.sql", "select max(id) as top from {{ ref('orders') }}\n"));
    assertThat(added.kind()).isEqualTo("added");
    assertThat(added.category()).isEqualTo(ChangeCategory.NON_BREAKING);

    write(
        "models/curated/clean.sql",
        "select id, amount * 100 as amount, tag, 'x' as note from {{ ref('orders') }}\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      Environments environments = new Environments(workspace);
      // tags reads no changed column: the environment reads production's
      assertThat(environments.changes("dev", List.of(), List.of()))
          .extracting(Environments.Change::model)
          .containsExactly("clean", "total", "wide");
      assertThat(environments.build("dev", RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      // against the environment, nothing differs any more; against production, clean does
      assertThat(new ChangePlanner(workspace).plan("dev")).isEmpty();
      assertThat(new ChangePlanner(workspace).plan(null))
          .extracting(ModelChange::model)
          .containsExactly("clean");
      assertThatThrownBy(() -> new ChangePlanner(workspace).plan("main"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("'main' is production");
      environments.drop("dev");
    } finally {
      write("models/curated/clean.sql", FILES.get("models/curated/clean.sql"));
    }
  }

  @Test
  void aPlanWithItsModelsLineageKeptSaysWhatAPlanDerivingItAnewSays() throws IOException {
    String[] files = {
      "models/curated/clean.sql",
      "select id, amount * 100 as amount, tag, 'x' as note from {{ ref('orders') }}\n",
      // added, downstream of a changed model: what its columns are computed from counts
      "models/published/kept_reader.sql",
      "select id, amount as paid from {{ ref('clean') }}\n",
      // added, reading an unchanged seed: its column names only, kept after the first plan
      "models/published/kept_alone.sql",
      "select id, tag as label from {{ ref('orders') }}\n"
    };
    List<ModelChange> first = plan(files);
    List<ModelChange> second = plan(files);

    assertThat(second).isEqualTo(first);
    assertThat(first)
        .extracting(ModelChange::model, ModelChange::kind, ModelChange::addedColumns)
        .contains(
            org.assertj.core.groups.Tuple.tuple("kept_alone", "added", List.of("id", "label")),
            org.assertj.core.groups.Tuple.tuple("kept_reader", "added", List.of("id", "paid")));
    ModelChange clean =
        first.stream().filter(change -> change.model().equals("clean")).findFirst().orElseThrow();
    assertThat(clean.downstream())
        .extracting(AffectedModel::model, AffectedModel::columns)
        .contains(org.assertj.core.groups.Tuple.tuple("kept_reader", List.of("paid")));
  }

  @Test
  void aContractOnlyChangeIsMetadataOnlyButItsModelIsBuiltAgainToCheckIt() throws IOException {
    String contract =
        "models:\n  - name: total\n    contract: {enforced: false, evolution: additive}\n"
            + "    columns:\n      - name: total\n        type: double\n";
    ModelChange change = only(plan("models/published/total.yaml", contract));
    assertThat(change.model()).isEqualTo("total");
    assertThat(change.category()).isEqualTo(ChangeCategory.METADATA_ONLY);
    assertThat(change.metadata()).contains("contract");
    assertThat(change.downstream()).isEmpty();
    assertThat(change.note()).contains("the contract changed");

    write("models/published/total.yaml", contract);
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      // the fingerprint holds the contract: an environment builds total, and checks it
      assertThat(new Environments(workspace).changes("dev", List.of(), List.of()))
          .extracting(Environments.Change::model)
          .containsExactly("total");
    } finally {
      Files.delete(project.resolve("models/published/total.yaml"));
    }
  }
}
