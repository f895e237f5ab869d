package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Writes a minimal new project, for {@code sluice init}. The project loads and runs as is. */
public final class ProjectScaffold {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private ProjectScaffold() {}

  /**
   * Writes a new project into a directory, creating it if needed: {@code sluice.yaml}, a file
   * source reading {@code data/example.csv}, a model with a check, and a {@code .gitignore}.
   *
   * @param name the project's name: letters, digits, '_' and '-'
   * @return the files written, relative to the directory
   * @throws InvalidInputException for an invalid name, or when the directory holds a project, or
   *     any file the scaffold would write, already
   * @throws UncheckedIOException when a file cannot be written
   */
  public static List<Path> create(Path dir, String name) {
    requireNonNull(dir, "dir is null");
    requireNonNull(name, "name is null");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "Invalid project name '" + name + "': use letters, digits, '_' and '-' only");
    }
    Map<String, String> files = files(name);
    for (String file : files.keySet()) {
      if (Files.exists(dir.resolve(file))) {
        throw new InvalidInputException(
            "Cannot create a project in "
                + dir
                + ": "
                + file
                + " exists already"
                + (file.equals(ConfigParser.FILE) ? " (it is a Sluice project)" : ""));
      }
    }
    List<Path> written = new ArrayList<>();
    try {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = dir.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        written.add(Path.of(file.getKey()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the new project in " + dir, e);
    }
    return List.copyOf(written);
  }

  private static Map<String, String> files(String name) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        ConfigParser.FILE,
        """
        # Project settings: see docs/reference/project-files.md
        name: %s
        threads: 4
        vars:
          default_country: GB
        """
            .formatted(name));
    files.put(
        "sources/example.yaml",
        """
        # A source system: its tables are loaded into the raw zone as raw.example_<table>.
        name: example
        connector: file
        description: An example CSV export
        tables:
          - name: example
            path: data/example.csv
            format: csv
            mode: full
            csv:
              header: true
            description: One row per customer
            columns:
              - name: id
                type: bigint
                checks: [not_null, unique]
              - name: name
                type: varchar
              - name: country
                type: varchar
        """);
    files.put(
        "data/example.csv",
        """
        id,name,country
        1,Ada Lovelace,GB
        2,Grace Hopper,US
        3,Linus Torvalds,
        """);
    files.put(
        "models/curated/example_clean.sql",
        """
        -- A model: one SELECT. Refer to sources with source() and to models with ref().
        select
          id,
          trim(name) as name,
          coalesce(country, '{{ var('default_country') }}') as country
        from {{ source('example', 'example') }}
        """);
    files.put(
        "models/curated/example_clean.yaml",
        """
        models:
          - name: example_clean
            description: Customers with a country for everyone
            columns:
              - name: id
                description: Customer key
                checks: [not_null, unique]
              - name: country
                checks: [not_null]
        """);
    files.put(
        ".gitignore",
        """
        warehouse/
        .sluice/
        """);
    return files;
  }
}
