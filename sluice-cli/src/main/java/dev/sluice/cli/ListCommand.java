package dev.sluice.cli;

import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice ls}: the selected assets, in dependency order, as dbt's {@code ls} lists nodes. */
@Command(
    name = "ls",
    aliases = "list",
    description =
        "List the assets --select picks (all by default), in dependency order: name, type,"
            + " materialization, table and file; dbt's ls.")
final class ListCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

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
    List<Listed> listed = new ArrayList<>();
    for (String name : new Selector(project).select(selection.select(project), selection.exclude)) {
      listed.add(listed(project.asset(name)));
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
                "model",
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
