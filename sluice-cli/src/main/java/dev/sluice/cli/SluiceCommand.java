package dev.sluice.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code sluice} command. */
@Command(
    name = "sluice",
    // -h/--help (and -V/--version) on every command and subcommand, at any depth
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    description = "Sluice: ingest, transform, check and publish governed Iceberg tables.",
    subcommands = {
      InitCommand.class,
      ValidateCommand.class,
      PlanCommand.class,
      RunCommand.class,
      SeedCommand.class,
      ListCommand.class,
      CompileCommand.class,
      EnvCommand.class,
      PromoteCommand.class,
      PromoteCommand.Rollback.class,
      DiffCommand.class,
      CiCommand.class,
      BackfillCommand.class,
      PartitionsCommand.class,
      ProfileCommand.class,
      ChecksCommand.class,
      ContractCommand.class,
      SloCommand.class,
      ReportCommand.class,
      IngestCommand.class,
      RerunCommand.class,
      ServeCommand.class,
      TokenCommand.class,
      UserCommand.class,
      TestCommand.class,
      RunsCommand.class,
      WorkersCommand.class,
      AuditCommand.class,
      MaintainCommand.class,
      CostCommand.class,
      TablesCommand.class,
      DropCommand.class,
      EraseCommand.class,
      RepairCommand.class,
      RelocateCommand.class,
      QueryCommand.class,
      AccessCommand.class,
      LineageCommand.class,
      CatalogCommand.class,
      ConnectorsCommand.class,
      SourcesCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 run failed (a step or blocking check failed),",
      "2 bad usage or project files, 3 bad input data, 4 SQL error, 5 audit log broken,",
      "6 access refused, 7 over a hard budget, 8 breaking changes (sluice ci),",
      "70 internal error."
    })
public final class SluiceCommand implements Runnable {
  @Option(
      names = {"-p", "--project"},
      description = "Project directory (default: current directory).",
      defaultValue = ".",
      scope = ScopeType.INHERIT)
  Path project;

  @Option(
      names = "--target",
      paramLabel = "NAME",
      description =
          "The target of sluice.yaml's targets: to use (its warehouse, catalog, state, vars and"
              + " secrets); default: $SLUICE_TARGET, else default_target: of sluice.yaml.",
      scope = ScopeType.INHERIT)
  String target;

  @Option(
      names = "--json",
      description = "Print machine-readable JSON on stdout.",
      scope = ScopeType.INHERIT)
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      description =
          "Print every log line on stderr too (they always go to the project's .sluice/logs/).",
      scope = ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  Output output;

  /** Where every command reads the time: the system clock, unless a test gives its own. */
  java.time.Clock clock;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  public static void main(String[] args) {
    NativeLibraries.prepare();
    System.exit(
        execute(
            args,
            new PrintWriter(System.out, false, StandardCharsets.UTF_8),
            new PrintWriter(System.err, false, StandardCharsets.UTF_8)));
  }

  /** Runs the CLI with the given streams and returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, out, err, java.time.Clock.systemUTC());
  }

  /** Runs the CLI with the given streams, reading the time from {@code clock}. */
  public static int execute(
      String[] args, PrintWriter out, PrintWriter err, java.time.Clock clock) {
    SluiceCommand root = new SluiceCommand();
    root.clock = java.util.Objects.requireNonNull(clock, "clock is null");
    root.output = new Output(out, err);
    CommandLine commandLine = new CommandLine(root);
    commandLine.setOut(out);
    commandLine.setErr(err);
    // 'sluice --target ci run': a target may share its name with a command (sluice ci)
    commandLine.setAllowSubcommandsAsOptionParameters(true);
    commandLine.setExecutionExceptionHandler(new ErrorHandler(root.output));
    commandLine.setExitCodeExceptionMapper(ExitCodes::forException);
    CommandLine.IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
    commandLine.setParameterExceptionHandler(
        (failure, arguments) -> {
          int code = usage.handleParseException(failure, arguments);
          if (java.util.Arrays.asList(arguments).contains("--json")) {
            // scripts get the one JSON document they asked for, as for every other failure
            root.output.json(
                java.util.Map.of("error", String.valueOf(failure.getMessage()), "exitCode", code));
          }
          return code;
        });
    commandLine.setExecutionStrategy(
        parseResult -> {
          Logging.configure(root.project.toAbsolutePath().normalize(), root.verbose);
          return new CommandLine.RunLast().execute(parseResult);
        });
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SluiceCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "sluice " + (version == null ? "development build" : version),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
