package dev.sluice.cli;

import dev.sluice.core.lineage.ColumnClassification;
import dev.sluice.core.lineage.ColumnTags;
import dev.sluice.core.lineage.TagOrigin;
import dev.sluice.core.project.Project;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "catalog",
    description =
        "What the project's tables hold; 'catalog columns --tag pii' lists classified columns.",
    subcommands = {CatalogCommand.Columns.class})
final class CatalogCommand extends BaseCommand {
  @Override
  public Integer call() {
    output()
        .message(
            "Usage: sluice catalog columns [--tag TAG]: the columns holding a classification tag");
    return ExitCodes.USAGE;
  }

  @Command(
      name = "columns",
      description = {
        "The columns holding classification tags and why: declared in a project file, or inherited"
            + " along column lineage from which upstream columns.",
        "Tags flow along copies, transformations and aggregates that keep values (min, max,"
            + " first, string_agg, ...), not through counts or sums."
      })
  static final class Columns implements Callable<Integer> {
    @ParentCommand CatalogCommand catalog;

    @Option(
        names = "--tag",
        paramLabel = "TAG",
        description = "Only columns holding TAG or a tag below it (pii matches pii.email).")
    String tag;

    @Override
    public Integer call() {
      Project project = catalog.loadProject();
      ColumnTags tags = ColumnTags.of(project);
      List<ColumnClassification> columns =
          tag == null
              ? tags.all().stream().filter(column -> !column.tags().isEmpty()).toList()
              : tags.withTag(tag);
      Output output = catalog.output();
      if (catalog.json()) {
        output.json(columns.stream().map(Columns::toJson).toList());
        return ExitCodes.OK;
      }
      if (columns.isEmpty()) {
        output.message(
            tag == null
                ? "No column holds a classification tag: declare one with 'classification: [pii]'"
                    + " on a column of a source or model"
                : "No column holds the tag '" + tag + "'");
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (ColumnClassification column : columns) {
        // "pii, pii.email inherited from raw.shop_customers.email (transformation)"
        Map<String, List<String>> tagsBySource = new LinkedHashMap<>();
        for (TagOrigin origin : column.origins()) {
          if (tag == null || column.tagsMatching(tag).contains(origin.tag())) {
            String source =
                origin.declared()
                    ? "declared at " + origin.declaredAt()
                    : "inherited from " + origin.from() + " (" + origin.kind().label() + ")";
            tagsBySource.computeIfAbsent(source, key -> new ArrayList<>()).add(origin.tag());
          }
        }
        List<String> why = new ArrayList<>();
        tagsBySource.forEach((source, held) -> why.add(String.join(", ", held) + " " + source));
        rows.add(
            List.of(
                column.column().table().toString(),
                column.column().column(),
                String.join(", ", tag == null ? column.tags() : column.tagsMatching(tag)),
                String.join("; ", why)));
      }
      output.table(List.of("table", "column", "tags", "why"), rows);
      return ExitCodes.OK;
    }

    private static Map<String, Object> toJson(ColumnClassification column) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("table", column.column().table().toString());
      entry.put("asset", column.asset());
      entry.put("column", column.column().column());
      entry.put("tags", column.tags());
      List<Map<String, Object>> origins = new ArrayList<>();
      for (TagOrigin origin : column.origins()) {
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("tag", origin.tag());
        if (origin.declared()) {
          why.put("declaredAt", origin.declaredAt().toString());
        } else {
          why.put("inheritedFrom", origin.from().toString());
          why.put("kind", origin.kind().label());
        }
        origins.add(why);
      }
      entry.put("origins", origins);
      return entry;
    }
  }
}
