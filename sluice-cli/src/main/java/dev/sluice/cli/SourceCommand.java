package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.DbtSourceFreshness;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice source freshness}: dbt's {@code source freshness} in a dbt project, which judges
 * each source table's freshness and writes {@code sources.json}; it fails when a table is past its
 * {@code error_after}, as dbt does.
 */
@Command(
    name = "source",
    description = "dbt's source: 'source freshness' judges a dbt project's source tables.",
    subcommands = SourceCommand.Freshness.class)
final class SourceCommand extends GroupCommand {
  @Command(
      name = "freshness",
      description =
          "Judge each source table with freshness: against its warn_after and error_after (by its"
              + " loaded_at_field, else its last load) and write sources.json into the dbt"
              + " project's target path; exit 1 when one is past error_after or never loaded.")
  static final class Freshness implements Callable<Integer> {
    @ParentCommand SourceCommand parent;

    @picocli.CommandLine.Mixin SelectionOptions selection = new SelectionOptions();

    @Override
    public Integer call() {
      try (Workspace workspace = parent.openWorkspace()) {
        if (workspace.project().dbt() == null) {
          throw new InvalidInputException(
              "'sluice source freshness' writes dbt's sources.json for a dbt project, and this is"
                  + " a Sluice project: 'sluice slo' shows its assets' freshness");
        }
        // dbt's selection applied to the sources: source:bank, source:bank.orders, tag:x, ...
        dev.sluice.core.project.Project project = workspace.project();
        java.util.Set<String> selected =
            new java.util.HashSet<>(
                new dev.sluice.core.project.Selector(project)
                    .select(selection.select(project), selection.exclude));
        DbtSourceFreshness.Judged judged =
            DbtSourceFreshness.judge(workspace, parent.clock().instant(), selected::contains);
        String file = workspace.project().root().relativize(judged.file()).toString();
        if (parent.json()) {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("sources", file);
          result.put("pass", judged.passed());
          result.put("warn", judged.warned());
          result.put("error", judged.errored());
          parent.output().json(result);
        } else {
          parent
              .output()
              .table(
                  java.util.List.of("source table", "status", "max loaded at"),
                  judged.tables().stream()
                      .map(
                          table ->
                              java.util.List.of(
                                  table.table(),
                                  table.status(),
                                  table.maxLoadedAt() == null
                                      ? ""
                                      : table.maxLoadedAt().toString()))
                      .toList());
        }
        parent
            .output()
            .message(
                "Source freshness: "
                    + judged.passed()
                    + " pass, "
                    + judged.warned()
                    + " warn, "
                    + judged.errored()
                    + " error; see "
                    + file);
        return judged.failed() ? ExitCodes.RUN_FAILED : ExitCodes.OK;
      }
    }
  }
}
