package dev.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Where log lines go, so that they do not mix with the friendly output: a project's log file
 * ({@code .sluice/logs/sluice.log}, three files of 10 MB at most) gets everything, and the console
 * only Sluice's own warnings as plain lines ({@code logback.xml}); with {@code --verbose} (or
 * {@code SLUICE_LOG_LEVEL}) the console gets every log line too, with its time and logger.
 */
final class Logging {
  static final String LOG_FILE = ".sluice/logs/sluice.log";
  private static final String DETAILED = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";
  private static final String FILE_APPENDER = "sluice-log-file";
  private static final String VERBOSE_APPENDER = "sluice-verbose";

  private Logging() {}

  /**
   * Configures logging for one command.
   *
   * @param project the project directory: its log file is written when it holds a project
   */
  static void configure(Path project, boolean verbose) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding (tests, embedding): its configuration stands
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    String level = System.getenv("SLUICE_LOG_LEVEL");
    if (verbose || level != null) {
      Level wanted = Level.toLevel(level, Level.INFO);
      root.setLevel(wanted);
      context.getLogger("dev.sluice").setLevel(wanted);
      // every line once, in full: the plain warnings would repeat them
      context.getLogger("dev.sluice").detachAppender("MESSAGES");
      if (root.getAppender(VERBOSE_APPENDER) == null) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setTarget("System.err");
        start(context, console, VERBOSE_APPENDER);
        root.addAppender(console);
      }
    }
    if (project != null
        && (Files.isRegularFile(project.resolve("sluice.yaml"))
            || Files.isRegularFile(project.resolve("dbt_project.yml")))) {
      Appender<ILoggingEvent> previous = root.getAppender(FILE_APPENDER);
      if (previous != null) {
        root.detachAppender(previous);
        previous.stop();
      }
      Path file = project.resolve(LOG_FILE);
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        return; // a read-only project: no log file
      }
      RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
      appender.setFile(file.toString());
      FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
      rolling.setContext(context);
      rolling.setParent(appender);
      rolling.setFileNamePattern(file.toString().replace("sluice.log", "sluice.%i.log"));
      rolling.setMinIndex(1);
      rolling.setMaxIndex(2);
      SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
      trigger.setContext(context);
      trigger.setMaxFileSize(FileSize.valueOf("10MB"));
      appender.setRollingPolicy(rolling);
      appender.setTriggeringPolicy(trigger);
      rolling.start();
      trigger.start();
      start(context, appender, FILE_APPENDER);
      root.addAppender(appender);
    }
  }

  private static void start(
      LoggerContext context, OutputStreamAppender<ILoggingEvent> appender, String name) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(DETAILED);
    encoder.start();
    appender.setContext(context);
    appender.setName(name);
    appender.setEncoder(encoder);
    appender.start();
  }
}
