package dev.sluice.cli;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.access.TableColumns;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.governance.AccessDiff;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.GrantDef;
import dev.sluice.governance.Policies;
import dev.sluice.governance.Principal;
import dev.sluice.governance.RowFilterDef;
import dev.sluice.governance.TableAccess;
import dev.sluice.lake.Lake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "access",
    description =
        "Who may read what (policies.yaml): 'access explain PRINCIPAL TABLE' says which grants,"
            + " masks and row filters apply and why; 'access diff' shows who gains and loses"
            + " access against the committed policies.yaml (git HEAD); 'access request', 'approve',"
            + " 'deny' and 'list' handle requests for time-bound access; 'access report' reviews"
            + " owners, classification and over-broad grants.",
    subcommands = {
      AccessCommand.Explain.class,
      AccessCommand.Diff.class,
      AccessRequestCommands.Request.class,
      AccessRequestCommands.Approve.class,
      AccessRequestCommands.Deny.class,
      AccessRequestCommands.ListRequests.class,
      AccessReportCommand.class
    })
final class AccessCommand extends BaseCommand {
  @Override
  public Integer call() {
    output()
        .message(
            "Use 'sluice access explain PRINCIPAL TABLE', 'access diff', 'access request TABLE',"
                + " 'access approve ID', 'access deny ID', 'access list' or 'access report'.");
    return ExitCodes.USAGE;
  }

  /**
   * The project's workspace on this command's clock (time-bound grants hold by it), acting as the
   * user running sluice.
   */
  Workspace workspace() {
    return Workspace.open(loadProject(), clock(), Workspace.localPrincipal());
  }

  @Command(name = "explain", description = "Which grants, masks and row filters apply and why.")
  static final class Explain implements Callable<Integer> {
    @ParentCommand AccessCommand access;

    @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "A user or group.")
    String principalName;

    @Parameters(index = "1", paramLabel = "TABLE", description = "zone.table")
    String table;

    @Override
    public Integer call() {
      Output output = access.output();
      try (Workspace workspace = access.workspace()) {
        QueryService queries = new QueryService(workspace);
        Principal principal = queries.principal(principalName);
        TableAccess explained = queries.explain(principal, TableName.parse(table));
        if (access.json()) {
          output.json(json(explained));
          return ExitCodes.OK;
        }
        List<String> lines = new ArrayList<>();
        lines.add(
            principal.name()
                + " (roles: "
                + (principal.roles().isEmpty() ? "none" : String.join(", ", principal.roles()))
                + (principal.attributes().isEmpty()
                    ? ""
                    : "; attributes: " + principal.attributes())
                + ")");
        lines.add((explained.readable() ? "may read " : "may NOT read ") + explained.table());
        for (GrantDef grant : explained.grants()) {
          lines.add(
              "  grant: "
                  + grant.role()
                  + " has "
                  + grant.describe()
                  + " ("
                  + grant.location()
                  + ")");
        }
        if (explained.readable()) {
          lines.add("  columns: " + String.join(", ", explained.columns()));
          if (!explained.deniedColumns().isEmpty()) {
            lines.add("  columns not granted: " + String.join(", ", explained.deniedColumns()));
          }
          explained
              .masks()
              .forEach(
                  (column, mask) ->
                      lines.add(
                          "  mask: "
                              + column
                              + " "
                              + mask.describe()
                              + (mask.tag().isPresent() ? " by tag " + mask.tag().get() : "")));
          for (RowFilterDef filter : explained.roleFilters()) {
            lines.add(
                "  row filter (roles "
                    + String.join(", ", filter.roles())
                    + "): "
                    + filter.where()
                    + " ("
                    + filter.location()
                    + ")");
          }
          for (RowFilterDef filter : explained.mandatoryFilters()) {
            lines.add("  mandatory row filter: " + filter.where() + " (" + filter.location() + ")");
          }
          lines.add("  rows: " + (explained.filtered() ? "where " + explained.predicate() : "all"));
        }
        explained.notes().forEach(note -> lines.add("  note: " + note));
        lines.forEach(line -> output.out().println(line));
        output.out().flush();
        return ExitCodes.OK;
      }
    }

    private static Map<String, Object> json(TableAccess explained) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("principal", explained.principal().name());
      result.put("roles", explained.principal().roles());
      result.put("table", explained.table().toString());
      result.put("readable", explained.readable());
      result.put(
          "grants",
          explained.grants().stream()
              .map(g -> g.role() + ": " + g.describe() + " (" + g.location() + ")")
              .toList());
      result.put("columns", explained.columns());
      result.put("deniedColumns", explained.deniedColumns());
      Map<String, String> masks = new LinkedHashMap<>();
      explained.masks().forEach((column, mask) -> masks.put(column, mask.describe()));
      result.put("masks", masks);
      result.put("rowFilter", explained.filtered() ? explained.predicate() : null);
      result.put("notes", explained.notes());
      return result;
    }
  }

  @Command(
      name = "diff",
      description =
          "Who gains and who loses access: policies.yaml as it is against the version committed"
              + " at git HEAD (no committed file: nobody but the owner read before).")
  static final class Diff implements Callable<Integer> {
    @ParentCommand AccessCommand access;

    @Option(
        names = "--against",
        paramLabel = "REF",
        defaultValue = "HEAD",
        description = "The git revision to compare with (default: ${DEFAULT-VALUE}).")
    String against;

    @Override
    public Integer call() {
      Output output = access.output();
      Path root = access.projectDirectory();
      String committed = committedPolicies(root, against);
      List<AccessDiff.Change> changes;
      try (Workspace workspace = access.openWorkspace()) {
        Project project = workspace.project();
        Policies before = committed == null ? Policies.none() : project.policiesFromText(committed);
        changes = changes(project, workspace.lake(), before);
      }
      if (access.json()) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("against", against);
        result.put("baseline", committed == null ? "none" : "git");
        result.put(
            "changes",
            changes.stream()
                .map(
                    change ->
                        Map.of(
                            "principal", change.principal(),
                            "table", change.table().toString(),
                            "kind", change.kind().name().toLowerCase(java.util.Locale.ROOT),
                            "detail", change.detail()))
                .toList());
        output.json(result);
        return ExitCodes.OK;
      }
      if (committed == null) {
        output.message(
            "No policies.yaml at "
                + against
                + " (or no git repository): compared with no policies.");
      }
      if (changes.isEmpty()) {
        output.message("No access changes against " + against + ".");
      }
      changes.forEach(change -> output.out().println(change.describe()));
      output.out().flush();
      return ExitCodes.OK;
    }
  }

  /** Who gains and loses access from {@code before} to the project's policies. */
  static List<AccessDiff.Change> changes(Project project, Lake lake, Policies before) {
    dev.sluice.governance.ColumnClassification tags =
        dev.sluice.core.lineage.ColumnTags.forPolicies(project);
    return AccessDiff.between(
        new AccessPolicy(before, tags),
        new AccessPolicy(project.policies(), tags),
        TableColumns.all(project, lake));
  }

  /**
   * After a plan: who gains and loses access against policies.yaml at git HEAD, so that a policy
   * change never loosens access silently. Nothing when neither version has policies.
   */
  static void printChanges(Output output, Workspace workspace, Path root) {
    printChanges(output, workspace, committedPolicies(root, "HEAD"));
  }

  /**
   * As {@link #printChanges(Output, Workspace, Path)}, against {@code committed}, policies.yaml as
   * committed at git HEAD ({@link #committedPoliciesLater}), or null when git or the file has none.
   */
  static void printChanges(Output output, Workspace workspace, String committed) {
    Project project = workspace.project();
    if (committed == null && !project.policies().declared()) {
      return;
    }
    Policies before;
    try {
      before = committed == null ? Policies.none() : project.policiesFromText(committed);
    } catch (ProjectException e) {
      output.message(
          "Access changes: policies.yaml at git HEAD has problems, not compared: "
              + e.getMessage());
      return;
    }
    List<AccessDiff.Change> changes = changes(project, workspace.lake(), before);
    if (!changes.isEmpty()) {
      output.message(
          "Access changes against policies.yaml at git HEAD ('sluice access diff' for details):");
      changes.forEach(change -> output.message("  " + change.describe()));
    }
  }

  /**
   * policies.yaml as committed at git HEAD, read by a git process started now on a thread of its
   * own: a command such as {@code sluice plan} waits for it only when it prints the access changes.
   */
  static java.util.function.Supplier<String> committedPoliciesLater(Path root) {
    java.util.concurrent.FutureTask<String> task =
        new java.util.concurrent.FutureTask<>(() -> committedPolicies(root, "HEAD"));
    Thread thread = new Thread(task, "sluice-git-policies");
    thread.setDaemon(true);
    thread.start();
    return () -> {
      try {
        return task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException runtime
            ? runtime
            : new IllegalStateException(e.getCause());
      }
    };
  }

  /** policies.yaml as committed at {@code revision}, or null when git or the file has none. */
  static String committedPolicies(Path root, String revision) {
    try {
      Process git =
          new ProcessBuilder("git", "show", revision + ":./" + Policies.FILE)
              .directory(root.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      git.getInputStream().transferTo(text);
      if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return null;
      }
      return text.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
