package dev.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The {@code sluice} command's logging, configured in code: Sluice's own warnings as one plain line
 * each on stderr ({@code warning: ...}) among the friendly output, what libraries log only to the
 * project's log file ({@link Logging}). The same configuration as {@code logback.xml}, which JVMs
 * that embed the CLI's classes keep; the command itself sets {@link #PROPERTY} first, so that
 * logback skips parsing XML: its XML configuration (Joran and the JDK's XML parser, about 650
 * classes) took 8 % of the CPU time of {@code sluice query}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  /** Set by {@link SluiceCommand#main} before the first logger: configure in code. */
  static final String PROPERTY = "sluice.cli.logging";

  /** Loggers quieter than the root's WARN, as logback.xml sets them. */
  private static final Map<String, Level> LEVELS =
      Map.of(
          "org.apache.hadoop", Level.ERROR,
          "org.apache.iceberg.util.Tasks", Level.ERROR,
          "io.debezium.connector.postgresql.PostgresConnectorConfig", Level.ERROR,
          "io.debezium.connector.postgresql.TypeRegistry", Level.ERROR,
          "io.debezium.connector.postgresql.connection.PostgresReplicationConnection", Level.OFF);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (!Boolean.getBoolean(PROPERTY) || System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    ThresholdFilter warnings = new ThresholdFilter();
    warnings.setLevel("WARN");
    warnings.start();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(
        "%replace(%replace(%level){'^WARN$','warning'}){'^ERROR$','error'}: %msg%n%nopex");
    encoder.start();
    ConsoleAppender<ILoggingEvent> messages = new ConsoleAppender<>();
    messages.setContext(context);
    messages.setName("MESSAGES");
    messages.setTarget("System.err");
    messages.addFilter(warnings);
    messages.setEncoder(encoder);
    messages.start();
    Logger sluice = context.getLogger("dev.sluice");
    sluice.setLevel(Level.INFO);
    sluice.addAppender(messages);
    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
