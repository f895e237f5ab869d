package dev.sluice.core.ci;

import dev.sluice.core.ci.ContinuousIntegration.Result;
import dev.sluice.core.ci.ContinuousIntegration.Step;
import dev.sluice.core.ci.ContinuousIntegration.TableDiff;
import dev.sluice.core.env.DataDiff;
import dev.sluice.core.env.ModelChange;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import java.util.Locale;

/** The Markdown report of a CI run, for a pull request's comment (docs/ci.md). */
public final class CiReport {
  private CiReport() {}

  /**
   * The report: the verdict, each step, the changed files, the changes with their categories and
   * the downstream models they affect, the data diff of each table built, and what failed.
   *
   * @param project the project, to name the model each changed file defines
   */
  public static String markdown(Result result, Project project) {
    StringBuilder out = new StringBuilder();
    out.append("## Sluice CI: ")
        .append(
            switch (result.status()) {
              case PASSED -> "passed";
              case BREAKING -> "breaking changes";
              case FAILED -> "failed";
            })
        .append("\n\n");
    out.append("Project `").append(result.project()).append('`');
    if (result.target() != null) {
      out.append(", target `").append(result.target()).append('`');
    }
    if (result.commit() != null) {
      out.append(", commit `").append(shortCommit(result.commit())).append('`');
    }
    if (result.git() != null) {
      out.append(" against `")
          .append(result.git().base())
          .append("` (merge base `")
          .append(shortCommit(result.git().mergeBase()))
          .append("`)");
    }
    out.append(".\n\n");
    if (!result.breaking().isEmpty()) {
      out.append(
          result.status() == ContinuousIntegration.Status.BREAKING
              ? "**Breaking changes** (allow them with `sluice ci --allow-breaking`): "
              : "Breaking changes, allowed: ");
      out.append(String.join(", ", result.breaking().stream().map(ModelChange::model).toList()))
          .append(".\n\n");
    }

    out.append("| step | result | detail |\n|---|---|---|\n");
    for (Step step : result.steps()) {
      row(out, step.name(), step.outcome().label(), step.detail());
    }

    if (!result.problems().isEmpty() || !result.failures().isEmpty()) {
      out.append("\n### What failed\n\n");
      for (String problem : result.problems()) {
        out.append("- ").append(inline(problem)).append('\n');
      }
      for (String failure : result.failures()) {
        out.append("- ").append(inline(failure)).append('\n');
      }
    }

    if (result.git() != null) {
      out.append("\n### Changed files since `").append(result.git().base()).append("`\n\n");
      if (result.git().files().isEmpty()) {
        out.append("None.\n");
      }
      for (String file : result.git().files()) {
        out.append("- `").append(file).append('`');
        String model = modelOf(project, file);
        if (model != null) {
          out.append(" (model ").append(model).append(')');
        }
        out.append('\n');
      }
    }

    out.append("\n### Changes against production\n\n");
    if (result.changes().isEmpty()) {
      out.append("No model differs from what production was built from.\n");
    } else {
      out.append("| model | category | change | affected downstream |\n|---|---|---|---|\n");
      for (ModelChange change : result.changes()) {
        row(
            out,
            change.model(),
            change.category() == dev.sluice.core.env.ChangeCategory.BREAKING
                ? "**breaking**"
                : change.category().label(),
            change.summary(),
            change.downstreamSummary());
      }
    }

    if (!result.diffs().isEmpty()) {
      out.append("\n### Data diff: production vs `").append(result.environment()).append("`\n\n");
      out.append(
          "| table | rows in production | rows in "
              + result.environment()
              + " | only in production | only in "
              + result.environment()
              + " | changed | columns added | columns removed |\n"
              + "|---|---|---|---|---|---|---|---|\n");
      for (TableDiff table : result.diffs()) {
        DataDiff.Result diff = table.diff();
        if (diff == null) {
          row(out, table.model(), "not compared: " + table.error(), "", "", "", "", "", "");
          continue;
        }
        row(
            out,
            diff.table().toString(),
            count(diff.productionRows()),
            count(diff.environmentRows()),
            count(diff.onlyInProduction()),
            count(diff.onlyInEnvironment()),
            diff.changed() == null
                ? "(no key)"
                : count(diff.changed()) + " by " + String.join(", ", table.keys()),
            String.join(", ", diff.addedColumns()),
            String.join(", ", diff.removedColumns()));
      }
    }

    if (!result.warnings().isEmpty()) {
      out.append("\n### Warnings\n\n");
      for (String warning : result.warnings()) {
        out.append("- ").append(inline(warning)).append('\n');
      }
    }
    out.append('\n')
        .append(
            result.environmentKept()
                ? "Environment `"
                    + result.environment()
                    + "` was kept: read it with `sluice query --env "
                    + result.environment()
                    + "`, drop it with `sluice env drop "
                    + result.environment()
                    + "`.\n"
                : "");
    return out.toString();
  }

  /** The model whose SQL file this is, or null. */
  private static String modelOf(Project project, String file) {
    for (ModelDef model : project.models().values()) {
      if (model.sqlFileName().equals(file)) {
        return model.name();
      }
    }
    return null;
  }

  private static void row(StringBuilder out, String... cells) {
    out.append('|');
    for (String cell : cells) {
      out.append(' ').append(cell(cell)).append(" |");
    }
    out.append('\n');
  }

  private static String cell(String text) {
    return text == null ? "" : inline(text).replace("|", "\\|");
  }

  /** One line: a multi-line message (an engine's error) keeps its first line. */
  private static String inline(String text) {
    String first = text.strip().lines().findFirst().orElse("");
    return first.length() > 300 ? first.substring(0, 300) + "..." : first;
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String shortCommit(String commit) {
    return commit.length() > 8 ? commit.substring(0, 8) : commit;
  }
}
