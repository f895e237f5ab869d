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
    footer = {
      "",
      "Exit codes: 0 success, 1 run failed (a step or blocking check failed),",
      "2 bad usage or project files, 3 bad input data, 4 SQL error, 5 audit log broken,",
      "6 access refused, 7 over a hard budget, 8 breaking changes (sluice ci),",
      "70 internal error."
    })
public final class SluiceCommand implements Runnable {
  /**
   * The commands, in the order the help lists them. They are added to the command line when it is
   * built ({@link #addCommands}) rather than declared in {@code @Command(subcommands = ...)}, so
   * that a process builds picocli's model of the one command it runs, not of all of them (picocli's
   * classes cannot be archived for class data sharing, and its model of 43 commands took 1.2 s of a
   * 16 s {@code sluice query} on the loaded 2-core machine, against 0.2 s for one).
   */
  private static final java.util.List<Class<?>> COMMANDS =
      java.util.List.of(
          InitCommand.class,
          ValidateCommand.class,
          PlanCommand.class,
          RunCommand.class,
          SeedCommand.class,
          SnapshotCommand.class,
          ListCommand.class,
          CompileCommand.class,
          DocsCommand.class,
          DepsCommand.class,
          CleanCommand.class,
          SourceCommand.class,
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
          CommandLine.HelpCommand.class);

  @Option(
      names = {"-p", "--project"},
      description = "Project directory (default: current directory).",
      defaultValue = ".",
      scope = ScopeType.INHERIT)
  Path project;

  @Option(
      names = {"-t", "--target"},
      paramLabel = "NAME",
      description =
          "The target of sluice.yaml's targets: to use (its warehouse, catalog, state, vars and"
              + " secrets); default: $SLUICE_TARGET, else default_target: of sluice.yaml. In a dbt"
              + " project: the output of its profile in profiles.yml (default: $DBT_TARGET, else"
              + " the profile's target:).",
      scope = ScopeType.INHERIT)
  String target;

  @Option(
      names = "--vars",
      paramLabel = "YAML",
      description =
          "Values of var() over the project's, as a YAML or JSON dictionary: --vars '{days: 3}'.",
      scope = ScopeType.INHERIT)
  String vars;

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
    // before the first logger: logging configured in code, not by parsing logback.xml
    System.setProperty(LogConfigurator.PROPERTY, "true");
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
    addCommands(commandLine, args);
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

  /**
   * Adds the commands the arguments name (by name or alias) to the command line; all of them when
   * they name none (the usage, {@code --version}, a mistyped command and its suggestions) or ask
   * for {@code help}. A word that is both a command and an option's value ({@code sluice --target
   * ci run}) adds both commands, and picocli tells them apart as before.
   */
  static void addCommands(CommandLine commandLine, String[] args) {
    java.util.Set<String> words = new java.util.HashSet<>(java.util.Arrays.asList(args));
    java.util.List<Class<?>> named =
        COMMANDS.stream().filter(command -> namedIn(command, words)).toList();
    boolean all = named.isEmpty() || named.contains(CommandLine.HelpCommand.class);
    for (Class<?> command : all ? COMMANDS : named) {
      commandLine.addSubcommand(command);
    }
  }

  /** The command line with every command, as {@code sluice --help} lists them. */
  static CommandLine withAllCommands() {
    CommandLine commandLine = new CommandLine(new SluiceCommand());
    addCommands(commandLine, new String[0]);
    return commandLine;
  }

  private static boolean namedIn(Class<?> command, java.util.Set<String> words) {
    Command annotation = command.getAnnotation(Command.class);
    return words.contains(annotation.name())
        || java.util.Arrays.stream(annotation.aliases()).anyMatch(words::contains);
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
