package dev.sluice.cli;

import dev.sluice.core.project.DbtDeps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code sluice deps}: dbt's {@code deps} in a dbt project. Local packages are linked into the
 * install path and package-lock.yml is written; packages of the dbt Hub, git or a tarball cannot be
 * downloaded here, so each one that is not vendored in the install path is named with how to vendor
 * it, and the command exits 2.
 */
@Command(
    name = "deps",
    description =
        "dbt's deps: link the local packages of packages.yml (or dependencies.yml) into"
            + " dbt_packages/ and write package-lock.yml; packages of the dbt Hub, git or a tarball"
            + " cannot be downloaded here: each one not vendored in dbt_packages/ is named, with"
            + " how to vendor it (exit code 2).")
final class DepsCommand extends BaseCommand {
  @Override
  public Integer call() {
    DbtDeps.Result result = DbtDeps.install(projectDirectory());
    Output output = output();
    if (result.packagesFile() == null || result.packages().isEmpty()) {
      output.message(
          "No packages declared: "
              + (result.packagesFile() == null
                  ? "the project has no packages.yml or dependencies.yml"
                  : result.packagesFile() + " lists none"));
    }
    for (DbtDeps.Outcome outcome : result.packages()) {
      output.message(
          (outcome.status() == DbtDeps.Status.MISSING ? "missing: " : "")
              + outcome.name()
              + ": "
              + outcome.message());
    }
    if (result.lockFile() != null) {
      output.message("Wrote " + result.lockFile());
    }
    List<DbtDeps.Outcome> missing = result.missing();
    if (!missing.isEmpty()) {
      output.message(
          missing.size()
              + " of "
              + result.packages().size()
              + " packages missing; "
              + DbtDeps.LOCK_FILE
              + " was not written (docs/dbt.md)");
    }
    if (json()) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("packages_file", result.packagesFile());
      List<Map<String, Object>> packages = new ArrayList<>();
      for (DbtDeps.Outcome outcome : result.packages()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", outcome.name());
        entry.put("kind", outcome.kind());
        entry.put("spec", outcome.spec());
        entry.put("versions", outcome.versions());
        entry.put("version", outcome.version());
        entry.put("directory", outcome.directory());
        entry.put("status", outcome.status().name().toLowerCase(java.util.Locale.ROOT));
        entry.put("message", outcome.message());
        entry.put("location", outcome.location().toString());
        packages.add(entry);
      }
      report.put("packages", packages);
      report.put("lock_file", result.lockFile());
      output.json(report);
    }
    return missing.isEmpty() ? ExitCodes.OK : ExitCodes.USAGE;
  }
}
