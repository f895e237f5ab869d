package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.UnitTestDef;
import dev.sluice.core.quality.UnitTests;
import dev.sluice.lake.Lake;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.view.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unit tests {@code dbt build} runs: before a model is built, its unit tests run, in an
 * in-memory DuckDB started for the run's first one (no table is read or written); a model whose
 * unit test fails or errors is skipped, and so is what reads it, as in dbt.
 */
final class UnitTestGate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UnitTestGate.class);

  private final Project project;
  private final Function<TableName, Optional<Schema>> relations;
  private final Map<String, List<UnitTestDef>> testsByModel;
  private final Map<String, String> verdicts = new ConcurrentHashMap<>();
  private final Collection<UnitTests.Result> results = new ConcurrentLinkedQueue<>();
  private UnitTests.InMemoryEngine engine;

  private UnitTestGate(
      Project project,
      Function<TableName, Optional<Schema>> relations,
      Map<String, List<UnitTestDef>> testsByModel) {
    this.project = project;
    this.relations = relations;
    this.testsByModel = testsByModel;
  }

  /** The schema of a table or view of the lake, if it exists. */
  static Function<TableName, Optional<Schema>> relations(Lake lake) {
    return name ->
        lake.findTable(name).map(Table::schema).or(() -> lake.findView(name).map(View::schema));
  }

  /** A gate that runs no unit test. */
  static UnitTestGate none(Project project) {
    return new UnitTestGate(project, name -> Optional.empty(), Map.of());
  }

  /**
   * A gate that runs the unit tests of these models (those the run builds), whose inputs get the
   * columns their given rows leave out from the lake's relations, as dbt's do.
   */
  static UnitTestGate of(Project project, Lake lake, Set<String> models) {
    Map<String, List<UnitTestDef>> byModel = new LinkedHashMap<>();
    for (UnitTestDef test : project.unitTests().values()) {
      if (models.contains(test.model())) {
        byModel.computeIfAbsent(test.model(), ignored -> new ArrayList<>()).add(test);
      }
    }
    return new UnitTestGate(project, relations(lake), byModel);
  }

  /**
   * Runs a model's unit tests, once however many steps build it.
   *
   * @return why the model is skipped (a unit test did not pass), or null to build it
   */
  String check(String model) {
    List<UnitTestDef> tests = testsByModel.get(model);
    if (tests == null) {
      return null;
    }
    String verdict = verdicts.computeIfAbsent(model, ignored -> run(tests));
    return verdict.isEmpty() ? null : verdict;
  }

  private String run(List<UnitTestDef> tests) {
    List<String> failed = new ArrayList<>();
    for (UnitTestDef test : tests) {
      UnitTests.Result result = UnitTests.runOne(project, test, engine().engine(), relations);
      results.add(result);
      LOG.info(
          "Unit test {} of {}: {}",
          test.name(),
          test.model(),
          result.status().label() + (result.passed() ? "" : ": " + summary(result)));
      if (!result.passed()) {
        failed.add("'" + test.name() + "' " + (result.error() != null ? "errored" : "failed"));
      }
    }
    return failed.isEmpty() ? "" : "skipped: unit test " + String.join(", ", failed);
  }

  private static String summary(UnitTests.Result result) {
    if (result.error() != null) {
      return result.error();
    }
    return result.missing().size()
        + " expected row(s) missing, "
        + result.unexpected().size()
        + " unexpected row(s)";
  }

  private synchronized UnitTests.InMemoryEngine engine() {
    if (engine == null) {
      engine = UnitTests.InMemoryEngine.start();
    }
    return engine;
  }

  /** The results of the unit tests run, in the order they ended. */
  List<UnitTests.Result> results() {
    return List.copyOf(results);
  }

  /** How many of them did not pass. */
  long notPassed() {
    return results.stream().filter(result -> !result.passed()).count();
  }

  @Override
  public synchronized void close() {
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }
}
