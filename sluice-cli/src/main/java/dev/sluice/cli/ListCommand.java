package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.DbtResources;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice ls}: the selected assets, in dependency order, as dbt's {@code ls} lists nodes. */
@Command(
    name = "ls",
    aliases = "list",
    description =
        "List the assets --select picks (all by default), in dependency order: name, type,"
            + " materialization, table and file; dbt's ls.")
final class ListCommand extends BaseCommand {
  private static final List<String> TYPES =
      List.of("model", "seed", "snapshot", "source", "exposure");

  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--resource-type",
      arity = "1..*",
      paramLabel = "TYPE",
      description =
          "Only these kinds: model, seed, snapshot, source, exposure (dbt's ls --resource-type);"
              + " exposures are listed only when asked for, here or with exposure:x.")
  List<String> resourceTypes = new ArrayList<>();

  /** One listed asset. */
  record Listed(String name, String type, String materialized, String table, String file) {
    Map<String, Object> json() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", name);
      json.put("resource_type", type);
      json.put("materialized", materialized);
      json.put("table", table);
      json.put("file", file);
      return json;
    }
  }

  @Override
  public Integer call() {
    Project project = loadProject();
    Set<String> types = new LinkedHashSet<>();
    for (String type : resourceTypes) {
      String lower = type.toLowerCase(Locale.ROOT);
      if (!TYPES.contains(lower)) {
        throw new InvalidInputException(
            "Unknown resource type '" + type + "': the resource types are " + TYPES);
      }
      types.add(lower);
    }
    Selector selector = new Selector(project);
    List<String> select = selection.select(project);
    List<Listed> listed = new ArrayList<>();
    for (String name : selector.select(select, selection.exclude)) {
      Listed item = listed(project.asset(name));
      if (types.isEmpty() || types.contains(item.type())) {
        listed.add(item);
      }
    }
    List<String> exposures =
        types.contains("exposure") && select.isEmpty()
            ? selector.selectExposures(List.of("exposure:*"), selection.exclude)
            : selector.selectExposures(select, selection.exclude);
    if (types.isEmpty() || types.contains("exposure")) {
      for (String name : exposures) {
        DbtResources.Resource exposure = project.dbt().resources().exposures().get(name);
        listed.add(new Listed(name, "exposure", exposure.type(), "", exposure.location().file()));
      }
    }
    return printList(
        listed,
        Listed::json,
        "No assets selected.",
        List.of("NAME", "TYPE", "MATERIALIZED", "TABLE", "FILE"),
        item -> List.of(item.name(), item.type(), item.materialized(), item.table(), item.file()));
  }

  private static Listed listed(Asset asset) {
    return asset.map(
        model ->
            new Listed(
                model.name(),
                model.snapshot() == null ? "model" : "snapshot",
                model.materialization().name().toLowerCase(Locale.ROOT),
                model.tableName().toString(),
                model.sqlFileName()),
        seed ->
            new Listed(
                seed.name(),
                "seed",
                "seed",
                seed.tableName().toString(),
                seed.csvFile().toString().replace('\\', '/')),
        source ->
            new Listed(
                source.assetName(),
                "source",
                source.mode().name().toLowerCase(Locale.ROOT),
                source.tableName().toString(),
                source.location().file()));
  }
}
