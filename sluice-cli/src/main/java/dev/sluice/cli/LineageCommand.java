package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.lineage.AssetColumns;
import dev.sluice.core.lineage.ColumnTags;
import dev.sluice.core.lineage.ProjectLineage;
import dev.sluice.core.lineage.TracedColumn;
import dev.sluice.core.project.AssetGraph;
import dev.sluice.core.project.Project;
import dev.sluice.lineage.ColumnDependency;
import dev.sluice.lineage.ColumnRef;
import dev.sluice.lineage.ConditionDependency;
import dev.sluice.lineage.DependencyKind;
import dev.sluice.lineage.OutputColumn;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "lineage",
    description = {
      "Show what an asset is built from (upstream) and what is built from it (downstream).",
      "With --columns, every column of the asset and the input columns it is computed from;"
          + " with NAME.COLUMN, the columns upstream and downstream of one column."
    })
final class LineageCommand extends BaseCommand {
  @Parameters(
      paramLabel = "NAME",
      description = "A model, seed or source.table; or one of its columns: NAME.COLUMN.")
  String name;

  @Option(
      names = "--columns",
      description = "Every column of NAME with its input columns and how it depends on them.")
  boolean columns;

  @Override
  public Integer call() {
    Project project = loadProject();
    if (columns) {
      String asset = project.graph().select(List.of(name)).get(0);
      return columns(ProjectLineage.of(project).asset(asset).orElseThrow());
    }
    if (project.findAsset(name).isPresent() || name.indexOf('.') < 0) {
      return assets(project.graph());
    }
    int dot = name.lastIndexOf('.');
    String asset = name.substring(0, dot);
    String column = name.substring(dot + 1);
    if (project.findAsset(asset).isEmpty()) {
      // let the selector say what is unknown, with its suggestions
      project.graph().select(List.of(name));
    }
    ColumnTags tags = ColumnTags.of(project);
    return column(tags, tags.lineage().asset(asset).orElseThrow(), column);
  }

  private Integer assets(AssetGraph graph) {
    String asset = graph.select(List.of(name)).get(0);
    if (json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("asset", asset);
      result.put("upstream", new TreeSet<>(graph.allUpstream(asset)));
      result.put("downstream", new TreeSet<>(graph.allDownstream(asset)));
      Map<String, Object> edges = new LinkedHashMap<>();
      for (String node : graph.topologicalOrder()) {
        edges.put(node, new TreeSet<>(graph.upstream(node)));
      }
      result.put("edges", edges);
      output().json(result);
      return ExitCodes.OK;
    }
    output().line("upstream of " + asset + ":");
    printTree(asset, graph::upstream, "", new HashSet<>());
    output().line("");
    output().line("downstream of " + asset + ":");
    printTree(asset, graph::downstream, "", new HashSet<>());
    return ExitCodes.OK;
  }

  private Integer columns(AssetColumns asset) {
    if (!asset.derived()) {
      output()
          .message(
              "warning: "
                  + asset.location()
                  + ": the column lineage of '"
                  + asset.asset()
                  + "' cannot be derived: "
                  + asset.notDerivable());
    }
    if (json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("asset", asset.asset());
      result.put("table", asset.table().toString());
      result.put("derivable", asset.derived());
      result.put("reason", asset.notDerivable());
      List<Map<String, Object>> list = new ArrayList<>();
      for (OutputColumn column : asset.columns()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", column.name());
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (ColumnDependency input : column.inputs()) {
          Map<String, Object> dependency = new LinkedHashMap<>();
          dependency.put("column", input.column().toString());
          dependency.put("kind", input.kind().label());
          dependency.put("carriesValues", input.carriesValues());
          inputs.add(dependency);
        }
        entry.put("inputs", inputs);
        list.add(entry);
      }
      result.put("columns", list);
      List<Map<String, Object>> conditions = new ArrayList<>();
      for (ConditionDependency condition : asset.conditions()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("column", condition.column().toString());
        entry.put("clause", condition.clause().label());
        conditions.add(entry);
      }
      result.put("conditions", conditions);
      output().json(result);
      return ExitCodes.OK;
    }
    output().line("columns of " + asset.asset() + " (" + asset.table() + "):");
    for (OutputColumn column : asset.columns()) {
      output().line("  " + column.name());
      for (ColumnDependency input : column.inputs()) {
        output()
            .line(
                "    <- "
                    + input.column()
                    + " ("
                    + describe(input.kind(), input.carriesValues())
                    + ")");
      }
    }
    if (!asset.conditions().isEmpty()) {
      output().line("");
      output().line("rows chosen by (filters, joins, grouping):");
      for (ConditionDependency condition : asset.conditions()) {
        output().line("  " + condition.column() + " (" + condition.clause().label() + ")");
      }
    }
    return ExitCodes.OK;
  }

  private Integer column(ColumnTags tags, AssetColumns asset, String columnName) {
    Optional<OutputColumn> found = asset.column(columnName);
    if (found.isEmpty()) {
      List<String> names = asset.columns().stream().map(OutputColumn::name).toList();
      throw new InvalidInputException(
          "'"
              + asset.asset()
              + "' has no column '"
              + columnName
              + "'"
              + (names.isEmpty()
                  ? (asset.derived()
                      ? ""
                      : ": its column lineage cannot be derived (" + asset.notDerivable() + ")")
                  : "; its columns are " + String.join(", ", names)));
    }
    ProjectLineage lineage = tags.lineage();
    ColumnRef column = new ColumnRef(asset.table(), found.get().name());
    List<TracedColumn> upstream = lineage.upstream(column);
    List<TracedColumn> downstream = lineage.downstream(column);
    List<ProjectLineage.ConditionUse> uses = lineage.conditionUses(column);
    Set<String> columnTags = tags.tags(asset.table(), column.column());
    if (json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("column", column.toString());
      result.put("asset", asset.asset());
      result.put("tags", columnTags);
      result.put("upstream", upstream.stream().map(LineageCommand::toJson).toList());
      result.put("downstream", downstream.stream().map(LineageCommand::toJson).toList());
      List<Map<String, Object>> conditions = new ArrayList<>();
      for (ProjectLineage.ConditionUse use : uses) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("asset", use.asset());
        entry.put("clause", use.condition().clause().label());
        conditions.add(entry);
      }
      result.put("usedInConditionsBy", conditions);
      output().json(result);
      return ExitCodes.OK;
    }
    String title = asset.asset() + "." + column.column() + " (" + column + ")";
    if (!columnTags.isEmpty()) {
      title += " [" + String.join(", ", columnTags) + "]";
    }
    output().line("upstream of " + title + ":");
    printColumns(column, upstream, "  ");
    output().line("");
    output().line("downstream of " + title + ":");
    printColumns(column, downstream, "  ");
    if (!uses.isEmpty()) {
      output().line("");
      output().line("used to choose rows by:");
      for (ProjectLineage.ConditionUse use : uses) {
        output().line("  " + use.asset() + " (" + use.condition().clause().label() + ")");
      }
    }
    return ExitCodes.OK;
  }

  private void printColumns(ColumnRef from, List<TracedColumn> traced, String indent) {
    for (TracedColumn next : traced) {
      if (next.via().equals(from) && !next.column().equals(from)) {
        output()
            .line(
                indent
                    + next.column()
                    + " ("
                    + next.asset()
                    + ", "
                    + describe(next.kind(), next.carriesValues())
                    + ")");
        printColumns(next.column(), traced, indent + "  ");
      }
    }
  }

  private static String describe(DependencyKind kind, boolean carriesValues) {
    return kind == DependencyKind.AGGREGATION && carriesValues
        ? "aggregation, carries values"
        : kind.label();
  }

  private static Map<String, Object> toJson(TracedColumn traced) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("column", traced.column().toString());
    entry.put("asset", traced.asset());
    entry.put("kind", traced.kind().label());
    entry.put("carriesValues", traced.carriesValues());
    entry.put("via", traced.via().toString());
    entry.put("distance", traced.distance());
    return entry;
  }

  private void printTree(
      String node, Function<String, Set<String>> next, String indent, Set<String> path) {
    output().line(indent + node);
    if (!path.add(node)) {
      return;
    }
    List<String> children = new ArrayList<>(new TreeSet<>(next.apply(node)));
    for (String child : children) {
      printTree(child, next, indent + "  ", path);
    }
    path.remove(node);
  }
}
