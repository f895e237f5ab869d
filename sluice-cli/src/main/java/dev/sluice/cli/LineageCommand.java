package dev.sluice.cli;

import dev.sluice.core.project.AssetGraph;
import dev.sluice.core.project.Project;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "lineage",
    description =
        "Show what an asset is built from (upstream) and what is built from it (downstream).")
final class LineageCommand extends BaseCommand {
  @Parameters(paramLabel = "NAME", description = "A model, seed or source.table.")
  String name;

  @Override
  public Integer call() {
    Project project = Project.load(projectDirectory());
    AssetGraph graph = project.graph();
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
