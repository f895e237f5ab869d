package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.DbtCatalog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice docs generate}: dbt's {@code docs generate} in a dbt project, which writes {@code
 * catalog.json} and {@code manifest.json} into its target path for the tools that read them. The
 * documentation site itself is Sluice's web UI ({@code sluice serve}), not dbt-docs' page.
 */
@Command(
    name = "docs",
    description =
        "dbt's docs: 'docs generate' writes catalog.json and manifest.json of a dbt project.",
    subcommands = DocsCommand.Generate.class)
final class DocsCommand extends GroupCommand {
  @Command(
      name = "generate",
      description =
          "Write catalog.json (each built model's, seed's, snapshot's and source table's columns"
              + " with their types, row count and size, read from its Iceberg table) and"
              + " manifest.json into the dbt project's target path, as dbt's docs generate does;"
              + " browse them in 'sluice serve'.")
  static final class Generate implements Callable<Integer> {
    @ParentCommand DocsCommand parent;

    @Override
    public Integer call() {
      try (Workspace workspace = parent.openWorkspace()) {
        if (workspace.project().dbt() == null) {
          throw new InvalidInputException(
              "'sluice docs generate' writes dbt's catalog.json for a dbt project, and this is a"
                  + " Sluice project: its catalog is 'sluice catalog', and the web UI of 'sluice"
                  + " serve' (docs/dbt.md)");
        }
        DbtCatalog.Written written = DbtCatalog.generate(workspace, parent.clock().instant());
        Output output = parent.output();
        String catalog = workspace.project().root().relativize(written.catalog()).toString();
        String manifest = workspace.project().root().relativize(written.manifest()).toString();
        if (parent.json()) {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("catalog", catalog);
          result.put("manifest", manifest);
          result.put("nodes", written.nodes());
          result.put("sources", written.sources());
          output.json(result);
        }
        output.message(
            "Catalog written to "
                + catalog
                + " ("
                + written.nodes()
                + " models, seeds and snapshots, "
                + written.sources()
                + " source tables; those not built yet are left out, as dbt leaves them out),"
                + " and "
                + manifest);
        return ExitCodes.OK;
      }
    }
  }
}
