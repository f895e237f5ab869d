package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SeedSpec;
import dev.sluice.api.connector.SourceConnector.Capability;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import dev.sluice.connectors.jdbc.PostgresConnector;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** The file connector reads seeds through the SPI, so that core names none of its options. */
class SeedStagingTest extends FileConnectorTestBase {

  @Test
  void declaresFilesAndSeeds() {
    assertThat(connector.capabilities())
        .containsExactlyInAnyOrder(Capability.LOADS_FILES, Capability.READS_SEEDS);
    assertThat(connector.supports(Capability.READS_SEEDS)).isTrue();
  }

  @Test
  void stagesEveryRowOfTheSeedWithItsDeclaredColumns() {
    write("seeds/countries.csv", "code,name\nDE,Germany\nFR,France\n");

    StagedData staged =
        connector.stageSeed(
            new SeedSpec(
                "countries",
                project,
                Path.of("seeds/countries.csv"),
                List.of(
                    new Column("code", Types.StringType.get()),
                    new Column("name", Types.StringType.get()))),
            session);

    assertThat(staged.readsOnScan()).isFalse();
    assertThat(staged.rows()).isEqualTo(2);
    assertThat(rows(staged.relation(), "code"))
        .containsExactly(
            List.of("DE", "Germany", "seeds/countries.csv"),
            List.of("FR", "France", "seeds/countries.csv"));
  }

  @Test
  void aMissingSeedFileIsNothingNew() {
    StagedData staged =
        connector.stageSeed(
            new SeedSpec("countries", project, Path.of("seeds/countries.csv"), List.of()), session);

    assertThat(staged.nothingNew()).isTrue();
  }

  @Test
  void aMalformedSeedFailsWithFileAndLine() {
    write("seeds/countries.csv", "code,name\nDE,Germany,extra\n");

    assertThatThrownBy(
            () ->
                connector.stageSeed(
                    new SeedSpec("countries", project, Path.of("seeds/countries.csv"), List.of()),
                    session))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in seeds/countries.csv at line 2");
  }

  @Test
  void aConnectorThatDeclaresNoSeedsRefusesOne() {
    PostgresConnector postgres = new PostgresConnector();
    SeedSpec seed = new SeedSpec("countries", project, Path.of("seeds/countries.csv"), List.of());

    assertThat(postgres.supports(Capability.READS_SEEDS)).isFalse();
    assertThat(postgres.supports(Capability.LOADS_FILES)).isFalse();
    assertThatThrownBy(() -> postgres.stageSeed(seed, session))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("The postgres connector cannot read seeds");
  }
}
