package dev.sluice.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dependency rule of the modules, checked on the main code of every module (this module sees
 * them all): the API depends on nothing else of Sluice, core reaches engines and connectors through
 * the API only, and no module reaches into an engine's or a connector's classes, so that another
 * engine or connector plugs in without touching core. See docs/adr/0003-archunit-layering-rules.md
 * and docs/architecture.md.
 */
@AnalyzeClasses(
    packages = "dev.sluice",
    importOptions = {ImportOption.DoNotIncludeTests.class, LayeringTest.DoNotIncludeTestJars.class})
class LayeringTest {
  /**
   * Leaves out other modules' test-jars (sluice-engine-spark's test server, for DemoOnSparkTest):
   * once packaged, their classes are no longer under {@code test-classes}.
   */
  static final class DoNotIncludeTestJars implements ImportOption {
    @Override
    public boolean includes(com.tngtech.archunit.core.importer.Location location) {
      return !location.contains("-tests.jar");
    }
  }

  @ArchTest
  static final ArchRule apiDependsOnNothingElseOfSluice =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.api..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.sluice..").and(not(resideInAPackage("dev.sluice.api.."))))
          .because("the API is what engine and connector authors build on, and nothing more");

  @ArchTest
  static final ArchRule lineageDependsOnTheApiOnly =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.lineage..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.sluice..")
                  .and(not(resideInAPackage("dev.sluice.api..")))
                  .and(not(resideInAPackage("dev.sluice.lineage.."))))
          .because(
              "SQL analysis is engine-neutral: core depends on lineage, lineage on the API only"
                  + " (docs/adr/0006-column-lineage-with-jsqlparser.md)");

  @ArchTest
  static final ArchRule nothingBelowTheServerDependsOnIt =
      noClasses()
          .that()
          .resideOutsideOfPackages("dev.sluice.server..", "dev.sluice.flight..", "dev.sluice.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.sluice.server..")
          .because(
              "the server sits beside the CLI above core: core, governance, the lake, engines and"
                  + " connectors know nothing of HTTP; the Flight SQL endpoint beside it uses its"
                  + " credentials (docs/architecture.md)");

  @ArchTest
  static final ArchRule onlyTheCliStartsTheFlightSqlEndpoint =
      noClasses()
          .that()
          .resideOutsideOfPackages("dev.sluice.flight..", "dev.sluice.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.sluice.flight..")
          .because(
              "the Flight SQL endpoint sits beside the HTTP server, whose credentials it uses, and"
                  + " sluice serve starts both (docs/adr/0012-arrow-flight-sql.md)");

  @ArchTest
  static final ArchRule theFlightSqlEndpointReadsThroughTheQueryServiceOnly =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.flight..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.sluice.cli..", "dev.sluice.engine..", "dev.sluice.connectors..")
          .because(
              "every statement of a BI tool runs through core's QueryService, as the signed-in"
                  + " principal (docs/adr/0012-arrow-flight-sql.md)");

  @ArchTest
  static final ArchRule theServerDoesNotDependOnTheCli =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.server..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.sluice.cli..", "dev.sluice.engine..", "dev.sluice.connectors..")
          .because(
              "the CLI assembles the runtime and starts the server (sluice serve); the server"
                  + " reaches data through core's QueryService only");

  @ArchTest
  static final ArchRule coreUsesNoEngineOrConnectorImplementation =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.sluice.engine..", "dev.sluice.connectors..")
          .because(
              "core finds engines (EngineProvider) and connectors (SourceConnector) with"
                  + " ServiceLoader; the CLI assembles the runtime");

  @ArchTest
  static final ArchRule nothingUsesTheAlertsObserverDirectly =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.sluice.alerts..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.sluice.alerts..")
          .because(
              "runs reach their observers through RunObserverProvider (ServiceLoader);"
                  + " docs/adr/0009-alerts.md");

  @ArchTest
  static final ArchRule nothingUsesTheOpenLineageObserverDirectly =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.sluice.openlineage..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.sluice.openlineage..")
          .because(
              "runs reach their observers through RunObserverProvider (ServiceLoader), so that"
                  + " OpenLineage is one plug-in among others; docs/adr/0008-openlineage-events.md");

  /**
   * The classes of one engine or connector ({@code dev.sluice.engine.<name>}, {@code
   * dev.sluice.connectors.<name>}) are its internals, whatever their Java visibility: only its own
   * package and the modules that assemble a runtime ({@code dev.sluice.cli}, {@code
   * dev.sluice.bench}) may use them.
   */
  private static final List<String> ASSEMBLERS = List.of("dev.sluice.cli", "dev.sluice.bench");

  /**
   * Where a module still reaches into another's internals today, each with why; the issue
   * "Architecture before the next wave" tracks removing them. Keys are the package of the class
   * that reaches (a prefix), values the classes it may reach. Nothing else may be added here
   * without the same reasoning in docs/architecture.md.
   */
  private static final Map<String, List<String>> KNOWN_REACHES =
      Map.of(
          // connectors stage their rows with DuckDB SQL and name columns with DuckDB's types
          "dev.sluice.connectors.",
          List.of("dev.sluice.engine.duckdb.DuckDbTypes"),
          // discovery reads sample files with an engine of its own, started outside any run
          "dev.sluice.connectors.file",
          List.of("dev.sluice.engine.duckdb.DuckDbEngine"),
          // the connector contract suite stages into a real DuckDB session
          "dev.sluice.connector.testkit",
          List.of("dev.sluice.engine.duckdb.DuckDbEngine"),
          // CDC stores a PostgreSQL column as the postgres JDBC connector does
          "dev.sluice.connectors.cdc",
          List.of("dev.sluice.connectors.jdbc.PostgresTypes"));

  @ArchTest
  static final ArchRule noModuleReachesIntoAnEnginesOrConnectorsInternals =
      classes()
          .should(reachNoOtherEnginesOrConnectorsClasses())
          .because(
              "an engine or connector is used through the API (EngineProvider, SourceConnector),"
                  + " so that it can be replaced or removed; docs/architecture.md");

  private static ArchCondition<JavaClass> reachNoOtherEnginesOrConnectorsClasses() {
    return new ArchCondition<>("reach no other engine's or connector's classes") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        String from = origin.getPackageName();
        if (ASSEMBLERS.stream().anyMatch(assembler -> isWithin(from, assembler))) {
          return;
        }
        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass();
          Optional<String> plugin = pluginOf(target.getPackageName());
          if (plugin.isEmpty() || isWithin(from, plugin.get()) || isKnown(from, target.getName())) {
            continue;
          }
          events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
        }
      }
    };
  }

  /** {@code dev.sluice.engine.duckdb} for a package of the DuckDB engine, and so on. */
  private static Optional<String> pluginOf(String packageName) {
    for (String root : List.of("dev.sluice.engine.", "dev.sluice.connectors.")) {
      if (packageName.startsWith(root)) {
        int end = packageName.indexOf('.', root.length());
        return Optional.of(end < 0 ? packageName : packageName.substring(0, end));
      }
    }
    return Optional.empty();
  }

  private static boolean isWithin(String packageName, String root) {
    return packageName.equals(root) || packageName.startsWith(root + ".");
  }

  private static boolean isKnown(String fromPackage, String targetClass) {
    return KNOWN_REACHES.entrySet().stream()
        .filter(known -> fromPackage.startsWith(known.getKey()))
        .flatMap(known -> known.getValue().stream())
        .anyMatch(allowed -> targetClass.equals(allowed) || targetClass.startsWith(allowed + "$"));
  }
}
