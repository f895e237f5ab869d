package dev.sluice.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rule of the modules, checked on the main code of every module (this module sees
 * them all): the API depends on nothing else of Sluice, and core reaches engines and connectors
 * through the API only, so that another engine or connector plugs in without touching core. See
 * docs/adr/0003-archunit-layering-rules.md.
 */
@AnalyzeClasses(packages = "dev.sluice", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
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
}
