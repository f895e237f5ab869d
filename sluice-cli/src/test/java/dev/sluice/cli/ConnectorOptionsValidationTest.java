package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOption.Placement;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.core.project.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project loader checks the options of every installed connector against the connector's own
 * declarations, wherever the connector places them (in {@code options:}, as keys of the table, in a
 * block of the table or of the source): an unknown option and a value of the wrong type are
 * problems at the file and line where they are written.
 */
class ConnectorOptionsValidationTest {
  private static final String SOURCE_FILE = "sources/src.yaml";
  private static final String UNKNOWN = "no_such_option";
  private static final String BAD_VALUE = "not_a_value";

  @TempDir Path root;

  @Test
  void anUnknownOptionOfEachConnectorIsAProblemAtItsLineListingTheValidOnes() throws IOException {
    assertThat(SourceConnectors.all())
        .extracting(SourceConnector::type)
        .contains("file", "postgres", "mysql", "http", "kafka", "postgres_cdc");
    for (SourceConnector connector : SourceConnectors.all()) {
      List<Place> places = new ArrayList<>();
      if (connector.options().isEmpty()
          || connector.options().stream().anyMatch(o -> o.placement() == Placement.OPTIONS)) {
        places.add(new Place(Placement.OPTIONS, null));
      } else {
        places.add(new Place(Placement.TABLE, null));
      }
      for (ConnectorOption option : connector.options()) {
        if (option.block() != null) {
          places.add(new Place(option.placement(), option.block()));
        }
      }
      for (Place place : new TreeSet<>(places)) {
        SourceFile file = sourceFile(connector, place, UNKNOWN, "1");

        ProjectException.Problem problem = problemAt(file);

        assertThat(problem.message())
            .as("%s, %s", connector.type(), place)
            .isEqualTo(
                switch (place.placement()) {
                  case OPTIONS ->
                      "Unknown option '" + UNKNOWN + "' of connector '" + connector.type() + "'";
                  case TABLE -> "Unknown key '" + UNKNOWN + "' in a table of source 'src'";
                  case TABLE_BLOCK ->
                      "Unknown key '" + UNKNOWN + "' in the " + place.block() + " options";
                  case SOURCE_BLOCK ->
                      "Unknown key '" + UNKNOWN + "' in '" + place.block() + ":' of " + SOURCE_FILE;
                });
        for (ConnectorOption option : connector.options()) {
          if (option.placement() == place.placement()
              && (option.block() == null || option.block().equals(place.block()))) {
            assertThat(problem.hint())
                .as("the hint of %s, %s lists option %s", connector.type(), place, option.name())
                .contains(option.name());
          }
        }
      }
    }
  }

  @Test
  void aValueOfTheWrongTypeIsAProblemAtItsLine() throws IOException {
    Set<ConnectorOption.Type> checked =
        Set.of(
            ConnectorOption.Type.INTEGER,
            ConnectorOption.Type.BOOLEAN,
            ConnectorOption.Type.DURATION,
            ConnectorOption.Type.CHOICE);
    int tested = 0;
    for (SourceConnector connector : SourceConnectors.all()) {
      for (ConnectorOption option : connector.options()) {
        if (!checked.contains(option.type()) || option.secret()) {
          continue;
        }
        SourceFile file =
            sourceFile(
                connector, new Place(option.placement(), option.block()), option.name(), BAD_VALUE);

        ProjectException.Problem problem = problemAt(file);

        assertThat(problem.message())
            .as("%s option %s", connector.type(), option.name())
            .contains(option.name())
            .contains("'" + BAD_VALUE + "'");
        tested++;
      }
    }
    assertThat(tested).isGreaterThan(20);
  }

  @Test
  void aFileSourceReportsItsOwnProblemsAtTheirLines() throws IOException {
    write("sluice.yaml", "name: shop\n");
    write(
        SOURCE_FILE,
        """
        tables:
          - name: orders
            path: data/orders.json
            csv:
              delimiter: ";;"
          - name: items
            path: data/items/*.csv
            csv:
              header: maybe
          - name: lines
            path: data/lines/*.csv
            csv:
              quote: "''"
          - name: payments
            path: data/payments.txt
        """);

    assertThatThrownBy(() -> Project.load(root))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.location().line() + " " + p.message())
                    .containsExactly(
                        "5 'csv:' options apply only to CSV files, but the format is json",
                        "5 'delimiter' must be one character, got ';;'",
                        "9 'header' must be true or false, got 'maybe'",
                        "13 'quote' must be one character, got ''''",
                        "15 Cannot tell the format of 'data/payments.txt' from its extension"));
  }

  /** Where a test writes an option. */
  private record Place(Placement placement, String block) implements Comparable<Place> {
    @Override
    public int compareTo(Place other) {
      return toString().compareTo(other.toString());
    }
  }

  /** A source file and the line the option under test is on. */
  private record SourceFile(String text, int line) {}

  /** A source of the connector with one table, and {@code key: value} written at the place. */
  private static SourceFile sourceFile(
      SourceConnector connector, Place place, String key, String value) {
    List<String> lines = new ArrayList<>();
    lines.add("connector: " + connector.type());
    int line = 0;
    if (place.placement() == Placement.SOURCE_BLOCK) {
      lines.add(place.block() + ":");
      lines.add("  " + key + ": " + value);
      line = lines.size();
    }
    lines.add("tables:");
    lines.add("  - name: t");
    switch (place.placement()) {
      case TABLE -> {
        lines.add("    " + key + ": " + value);
        line = lines.size();
      }
      case TABLE_BLOCK -> {
        lines.add("    " + place.block() + ":");
        lines.add("      " + key + ": " + value);
        line = lines.size();
      }
      case OPTIONS -> {
        lines.add("    options:");
        lines.add("      " + key + ": " + value);
        line = lines.size();
      }
      case SOURCE_BLOCK -> {}
    }
    return new SourceFile(String.join("\n", lines) + "\n", line);
  }

  /** Loads a project with the source file; its only problem at the option's line. */
  private ProjectException.Problem problemAt(SourceFile file) throws IOException {
    write("sluice.yaml", "name: shop\n");
    write(SOURCE_FILE, file.text());
    ProjectException error = null;
    try {
      Project.load(root);
    } catch (ProjectException e) {
      error = e;
    }
    assertThat(error).as("loading\n%s", file.text()).isNotNull();
    List<ProjectException.Problem> atLine =
        error.problems().stream()
            .filter(p -> p.location().equals(new Location(SOURCE_FILE, file.line())))
            .toList();
    assertThat(atLine).as("the problems of\n%s: %s", file.text(), error.problems()).hasSize(1);
    return atLine.get(0);
  }

  private void write(String relative, String text) throws IOException {
    Path path = root.resolve(relative);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
  }
}
