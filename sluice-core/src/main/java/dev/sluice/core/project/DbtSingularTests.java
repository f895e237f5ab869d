package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * dbt's singular tests: each {@code .sql} file under the test paths (but their {@code generic/}
 * directories, which hold generic tests, and {@code fixtures/}, unit tests' fixtures) is a query
 * whose rows are failures. Each becomes Sluice's {@code sql} check, named after the file, of the
 * one model or seed it reads with {@code ref()}, run on that asset's new rows before they are
 * published; its {@code config(severity='warn')} and {@code config(enabled=false)} apply. A test
 * that reads several models or a source is a problem at its line: Sluice runs a check as part of
 * one asset's step.
 */
final class DbtSingularTests {
  /**
   * The argument that marks a {@code sql} check as a dbt singular test, whose query may call {@code
   * config()}.
   */
  static final String SINGULAR_TEST = "dbt_singular_test";

  private DbtSingularTests() {}

  /** Adds the singular tests of the directories to the models and seeds they read. */
  static void attach(
      Path root,
      List<Path> testDirectories,
      Map<String, ModelDef> models,
      Map<String, SeedDef> seeds,
      DbtTemplates templates,
      Map<String, Object> vars,
      Problems problems) {
    Map<String, List<CheckDef>> byAsset = new LinkedHashMap<>();
    for (Path directory : testDirectories) {
      for (Path path : files(directory)) {
        String file = YamlFiles.relative(root, path);
        String template;
        try {
          template = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
          problems.add(Location.of(file), "Cannot read the file: " + e.getMessage());
          continue;
        }
        test(file, template, models, seeds, templates, vars, problems)
            .ifPresent(
                entry ->
                    byAsset
                        .computeIfAbsent(entry.getKey(), key -> new ArrayList<>())
                        .add(entry.getValue()));
      }
    }
    byAsset.forEach(
        (asset, checks) -> {
          ModelDef model = models.get(asset);
          if (model != null) {
            List<CheckDef> all = new ArrayList<>(model.checks());
            all.addAll(checks);
            models.put(asset, model.withChecks(all));
          } else {
            SeedDef seed = seeds.get(asset);
            List<CheckDef> all = new ArrayList<>(seed.checks());
            all.addAll(checks);
            seeds.put(asset, seed.withChecks(all));
          }
        });
  }

  private static java.util.Optional<Map.Entry<String, CheckDef>> test(
      String file,
      String template,
      Map<String, ModelDef> models,
      Map<String, SeedDef> seeds,
      DbtTemplates templates,
      Map<String, Object> vars,
      Problems problems) {
    String name = Path.of(file).getFileName().toString();
    name = name.substring(0, name.length() - ".sql".length());
    TemplateSession session =
        new TemplateSession(
            Location.of(file),
            true,
            false,
            true,
            vars,
            ref -> ref.isEmpty() ? null : new TableName("curated", ref),
            (source, table) ->
                source.isEmpty() || table.isEmpty()
                    ? null
                    : new TableName("raw", source + "_" + table),
            problems);
    templates.applyTo(session.allowAnyConfigKey());
    SqlRenderer.render(template, session, new TableName("curated", "this"));
    Map<String, Object> config = session.config();
    if (Boolean.FALSE.equals(config.get("enabled"))) {
      return java.util.Optional.empty();
    }
    Severity severity = Severity.ERROR;
    if (config.get("severity") != null) {
      try {
        severity = Severity.parse(String.valueOf(config.get("severity")));
      } catch (IllegalArgumentException e) {
        problems.add(
            session.location(session.configLines().get("severity")),
            "Unknown severity '" + config.get("severity") + "'",
            "severity is 'error' (the run fails) or 'warn' (reported only)");
      }
    }
    for (String key : config.keySet()) {
      if (!Set.of("severity", "enabled", "tags", "meta", "store_failures").contains(key)) {
        problems.add(
            session.location(session.configLines().get(key)),
            "Test config '"
                + key
                + "' of singular test '"
                + name
                + "' is not supported by Sluice yet",
            "remove it (docs/dbt.md)");
      }
    }
    if (!session.sources().isEmpty() || session.refs().size() != 1) {
      int line =
          session.sources().isEmpty()
              ? session.refs().values().stream().skip(1).findFirst().orElse(1)
              : session.sources().values().iterator().next();
      problems.add(
          session.location(line),
          "Singular test '"
              + name
              + "' reads "
              + (session.refs().isEmpty() && session.sources().isEmpty()
                  ? "no model or seed"
                  : "more than one model or seed, or a source")
              + ": Sluice runs a singular test as a check of the one model or seed it reads",
          "make it read one model or seed with ref(), or write it as a data test of the model"
              + " (docs/dbt.md)");
      return java.util.Optional.empty();
    }
    String asset = session.refs().keySet().iterator().next();
    if (!models.containsKey(asset) && !seeds.containsKey(asset)) {
      return java.util.Optional.empty(); // the unknown ref is reported by ReferenceValidator
    }
    return java.util.Optional.of(
        Map.entry(
            asset,
            new CheckDef(
                "sql",
                name,
                null,
                Map.of("query", template, SINGULAR_TEST, true),
                severity,
                new Location(file, 1))));
  }

  private static List<Path> files(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> stream = Files.walk(directory)) {
      return stream
          .filter(Files::isRegularFile)
          .filter(path -> path.toString().toLowerCase(Locale.ROOT).endsWith(".sql"))
          .filter(path -> !directory.relativize(path).startsWith("generic"))
          // unit tests' fixture files, as dbt reads them, are no tests
          .filter(path -> !directory.relativize(path).startsWith(UnitTestParser.FIXTURES))
          .filter(path -> !directory.relativize(path).toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
